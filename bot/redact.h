/*
 * Secrets in text that comes from hosts (log lines above all): values of
 * password=, token:, "secret": ..., Authorization and Bearer headers,
 * Slack tokens, plus every secret the config registered. Applied before
 * anything from a host is shown in chat.
 */
#ifndef OPSBOT_REDACT_H
#define OPSBOT_REDACT_H

/* Returns a redacted copy of text; the caller frees it. */
char	*redact_text(const char *text);

#endif
