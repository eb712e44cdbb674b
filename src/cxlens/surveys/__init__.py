"""Survey programmes run by cxlens: definitions (``spec``), triggers, contact-frequency rules
(``fatigue``), personal signed links (``tokens``), delivery by e-mail or provider webhook
(``send``), the scheduled run (``run``) and answer collection (``collect``)."""
