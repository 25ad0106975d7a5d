"""Rules and what is done with their findings: validate, fix, annotate."""
