"""The council's insight pages: where the money goes and who is waiting, from the ledger and
the package and invoice records (no second copy of any figure)."""
