"""Ways a desk's work leaves factcheck: claim-status CSV and ClaimReview JSON-LD."""
