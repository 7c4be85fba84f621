"""`typedlenet.check`: the static checker tooling.

- `run_check(paths)`: verify every named-annotated function and typed module
  of files abstractly (what `typedlenet check` runs), as `Diagnostic`s;
- `trace_target(path, name)`: each line's tensor with its named sizes (what
  `typedlenet trace` prints and the editor shows on hover);
- `serve()`: the Language Server on stdio (`typedlenet lsp`).

Not imported by `import typedlenet`; it never imports the training application.
"""

from ._checker import CheckError, Diagnostic, run_check
from ._lsp import serve
from ._tracer import trace_target

__all__ = ["CheckError", "Diagnostic", "run_check", "serve", "trace_target"]
