"""Models of this module (tables prefixed with its name)."""
