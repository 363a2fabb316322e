"""Project documents and kept import files: attached by editors, streamed only to those who may see them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ascn.core.models import AuditEntry
from ascn.plans.models import ProjectDocument, ProjectImport

from .helpers import project

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a tiny test document\n"


def attach(client, target, name="study.pdf", data=PDF, title="Feasibility study"):
    return client.post(f"/projects/{target.pk}/documents/", {"title": title, "file": SimpleUploadedFile(name, data)})


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_city_officer_attaches_a_document_and_everyone_can_read_it_on_a_published_project(
        client, csco_danang, media_root):
    target = project("A111")
    client.force_login(csco_danang)
    assert attach(client, target).status_code == 302
    document = ProjectDocument.objects.get(project=target)
    assert (document.title, document.uploaded_by) == ("Feasibility study", csco_danang)
    assert AuditEntry.objects.filter(object_id=str(document.pk), action="create").exists()
    url = f"/projects/{target.pk}/documents/{document.pk}/"
    assert url in client.get(f"/projects/{target.pk}/").content.decode()
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Disposition"].startswith("inline")  # a PDF opens in the browser…
    assert response["Content-Security-Policy"] == "sandbox"     # …without running anything


def test_other_files_download_as_attachments(client, csco_danang, media_root):
    client.force_login(csco_danang)
    attach(client, project("A111"), name="notes.txt", data=b"<script>alert(1)</script>", title="Notes")
    document = ProjectDocument.objects.get()
    response = client.get(f"/projects/{document.project_id}/documents/{document.pk}/")
    assert response["Content-Disposition"].startswith("attachment")


def test_a_drafts_documents_are_seen_only_by_those_who_see_the_draft(
        client, csco_danang, nr_thailand, draft, media_root):
    client.force_login(csco_danang)
    attach(client, draft)
    document = ProjectDocument.objects.get(project=draft)
    url = f"/projects/{draft.pk}/documents/{document.pk}/"
    assert client.get(url).status_code == 200
    client.force_login(nr_thailand)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404
    assert client.get(f"/media/{document.file.name}").status_code == 404  # no public path to the file


def test_a_document_is_only_reachable_under_its_own_project(client, csco_danang, media_root):
    client.force_login(csco_danang)
    attach(client, project("A111"))
    document = ProjectDocument.objects.get()
    assert client.get(f"/projects/{project('A112').pk}/documents/{document.pk}/").status_code == 404


@pytest.mark.parametrize(("name", "message"), [
    ("tool.exe", "This type of file is not accepted."),
    ("page.html", "This type of file is not accepted."),
])
def test_unaccepted_files_are_refused_and_nothing_is_kept(client, csco_danang, media_root, name, message):
    client.force_login(csco_danang)
    response = attach(client, project("A111"), name=name)
    assert not ProjectDocument.objects.exists()
    assert message in client.get(response["Location"]).content.decode()


def test_an_oversized_document_is_refused(client, csco_danang, media_root, monkeypatch):
    monkeypatch.setattr("ascn.plans.forms.MAX_DOCUMENT_BYTES", len(PDF) - 1)
    client.force_login(csco_danang)
    response = attach(client, project("A111"))
    assert not ProjectDocument.objects.exists()
    assert "The file is larger than 25 MB." in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("who", ["partner_jica", "nr_vietnam", "anonymous"])
def test_only_editors_attach_documents(client, request, media_root, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = attach(client, project("A111"))
    assert response.status_code in (302, 403, 404)
    assert not ProjectDocument.objects.exists()
    if who == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


def test_the_kept_upload_goes_back_to_its_uploader_and_the_secretariat_only(
        client, csco_danang, nr_vietnam, secretariat, media_root):
    client.force_login(csco_danang)
    data = b"reference,city,title\n"
    client.post("/projects/import/", {"file": SimpleUploadedFile("mine.csv", data)})
    record = ProjectImport.objects.get()
    url = f"/projects/import/{record.pk}/file"
    assert url in client.get(f"/projects/import/{record.pk}/").content.decode()
    response = client.get(url)
    assert (response.status_code, body(response)) == (200, data)
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(nr_vietnam)
    assert client.get(url).status_code == 404
    client.force_login(secretariat)
    assert client.get(url).status_code == 200
