"""What a workspace keeps on disk: the SQLite ledger, the archive, the pass lock, durable and
atomic writes, the output folders. Imports: domain, formats."""
