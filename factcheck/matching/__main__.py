"""python -m factcheck.matching: prepare the embedding model's shared weights file ahead of the
first request (the install steps run it; see matching/embeddings.py)."""
from factcheck.matching.embeddings import find_model_files, model_name, shared_model

found = find_model_files()
if found is None:
    print("embeddings unavailable: model or tokenizer files not installed")
else:
    print(f"embedding model ready: {shared_model(found[0])} ({model_name(found)})")
