"""The upload form of every import page."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from ascn.core import tabular


class TableUploadForm(forms.Form):
    """A CSV or XLSX file to check and import; an app's form names the file field for its page."""

    file = forms.FileField(label=_("CSV or XLSX file"))

    def upload_limit(self) -> int:
        """The largest file an upload page takes (commands and the API may take larger ones)."""
        return tabular.PAGE_MAX_BYTES

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]  # FileField.clean checked its name and size
        if not (upload.name or "").lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if (upload.size or 0) > self.upload_limit():
            raise forms.ValidationError(_("The file is larger than 20 MB; split it."))
        return upload
