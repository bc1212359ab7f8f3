from skillpress.cli import entry

entry()
