"""Schemathesis hooks of `cargo xtask soak`: tus PATCH and creation bodies are raw bytes of
type `application/offset+octet-stream` (tus 1.0 §PATCH), which schemathesis has no serializer
for; send the generated value's bytes as they are."""

import schemathesis


@schemathesis.serializer("application/offset+octet-stream")
def offset_octet_stream(ctx, value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return repr(value).encode("utf-8")
