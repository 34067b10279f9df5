"""Reading and writing graphs: the YAML/JSON document, CSV paths and Markdown outlines, around the model."""
