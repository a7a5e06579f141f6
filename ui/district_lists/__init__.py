"""The desk's view of its copy of the district's lists: how old it is, in the status bar."""
