"""Moderation: flags, the one review queue, automatic rules, penalties, watched words and the
code of conduct acknowledgment. Core, because every area feeds it through review handlers."""
