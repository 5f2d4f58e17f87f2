"""Server-rendered pages (Chinese first, English on request), their words, templates and static
files."""
