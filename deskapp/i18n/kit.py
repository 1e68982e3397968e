"""The shared work-screen kit: form fields and their refusals, confirmations, lists."""

MESSAGES: dict[str, tuple[str, str]] = {
}
