"""The command line, demo data, backups and the database at start-up."""
