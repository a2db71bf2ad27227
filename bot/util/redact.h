/*
 * Secrets in text that comes from hosts (log lines above all): values of
 * password=, token:, "secret": ..., Authorization and Bearer headers,
 * Slack tokens, URL passwords (scheme://user:PW@host), plus every secret
 * the config registered. Applied before anything from a host is shown in
 * chat, and to what users type: audit rows, replies, log lines, silence
 * reasons, alert annotations.
 */
#ifndef OPSBOT_REDACT_H
#define OPSBOT_REDACT_H

/* Returns a redacted copy of text; the caller frees it. */
char	*redact_text(const char *text);
/*
 * The patterns only (no registered secrets: the log adds those under its
 * own lock), URL passwords included; the caller frees the copy.
 */
char	*redact_patterns(const char *text);

#endif
