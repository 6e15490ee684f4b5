"""Invoices: providers bill delivered support against package lines; the person approves;
the provider is paid (rules.py: what a line may bill; service.py: the life cycle)."""
