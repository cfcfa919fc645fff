"""The bundled demo: recorded publisher responses served on 127.0.0.1, never the internet."""
