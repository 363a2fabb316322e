"""Every read of the partnerships app shown to a user, one module per part."""
