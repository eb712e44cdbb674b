"""The CX report: model (what it says) → HTML (self-contained) → PDF (Chromium)."""
