"""The errors of code generation: the plugin's, reported to protoc, and the driver's.

Anything wrong with the input (a bad option, a body field that does not
exist, a link to an unknown operation, an impossible constraint) is raised
as a PluginError with a message naming the file and element at fault; the
plugin turns it into CodeGeneratorResponse.error, which protoc prints as
``--openapi_out: <message>`` and exits non-zero. No traceback reaches the user.
"""


class PluginError(Exception):
    """A problem in the plugin's input, reported to protoc as a clear message."""


class GenerationError(Exception):
    """A generator run by `make` (codegen.generate) failed; its message is what the user sees."""
