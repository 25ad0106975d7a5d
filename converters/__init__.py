"""Document import/export plugins (docx, pdf, text) — see issue #7."""
