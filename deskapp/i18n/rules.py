"""The desk's rules in words: severity classes and the rules that fire, policy-file
problems, deadline refusals, countdown formats."""

MESSAGES: dict[str, tuple[str, str]] = {
}
