"""Text handling: redaction of personal data (sentiment and themes come later)."""
