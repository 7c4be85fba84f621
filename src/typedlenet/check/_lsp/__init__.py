"""`typedlenet lsp`: a Language Server on stdin/stdout (see `._server`)."""

from ._server import serve

__all__ = ["serve"]
