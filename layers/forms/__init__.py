"""Django forms: input validation for the pages (views stay thin; services do the writes)."""
