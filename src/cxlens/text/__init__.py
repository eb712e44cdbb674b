"""Text analytics, offline: redaction of personal data, sentiment (VADER and a lexicon
baseline) and themes (WordLlama embeddings, k-means, c-TF-IDF labels) with their effect on
NPS and CSAT. Model files ship inside installed wheels and are hash-checked at load."""
