"""The closed loop: follow-up cases opened from unhappy answers (``rules``), owned, due,
reminded and escalated (``cases``), with notes and a history."""
