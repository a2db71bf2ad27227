/*
 * Webhook intake on the bot's HTTP listener: POST /hooks/alertmanager,
 * /hooks/grafana and /hooks/generic. The answer says what happened to
 * the alerts, and only after the fact: 200 once they are committed, 503
 * when the store could not commit (Alertmanager retries 5xx), 400 with
 * the reason for a body that cannot be read (not retried: it would not
 * get better), 401 for a wrong or missing token.
 */

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_parse.h"
#include "alerts.h"
#include "alerts_http.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "httpd.h"
#include "log.h"
#include "redact.h"
#include "metrics.h"
#include "xmalloc.h"

typedef int (*alerts_parse_fn)(const char *, size_t, int64_t,
    struct alert_batch *, char **);

struct alerts_hook {
	struct alerts	*alerts;
	const char	*source;
	const char	*token;		/* borrowed from the config; or NULL */
	alerts_parse_fn	 parse;
};

struct alerts_http {
	struct alerts_hook	 hooks[3];
};

/* A JSON body, built with cJSON: {"status": ..., and one more key}. */
static void
alerts_http_body(struct httpd_response *resp, int status, const char *key,
    const char *text, double number)
{
	cJSON	*j = cJSON_CreateObject();
	char	*s;

	resp->status = status;
	cJSON_AddStringToObject(j, "status", status == 200 ? "ok" : "error");
	if (text != NULL)
		cJSON_AddStringToObject(j, key, text);
	else
		cJSON_AddNumberToObject(j, key, number);
	s = cJSON_PrintUnformatted(j);
	buf_adds(&resp->body, s);
	buf_addc(&resp->body, '\n');
	free(s);
	cJSON_Delete(j);
}

static void
alerts_http_error(struct httpd_response *resp, int status, const char *why)
{
	alerts_http_body(resp, status, "error", why, 0);
}

/* "Bearer TOKEN" (any case), compared in constant time. */
static int
alerts_http_authorized(const struct alerts_hook *h, const char *header)
{
	if (h->token == NULL)
		return 1;
	if (strncasecmp(header, "Bearer ", 7) != 0)
		return 0;
	header += 7;
	while (*header == ' ')
		header++;
	return httpd_token_equal(header, h->token);
}

/*
 * Where the body stops being UTF-8 text: a NUL or an invalid sequence
 * (JSON is UTF-8; either would reach chat as garbage or cut short), or
 * -1 when it is all text.
 */
static long
alerts_http_bad_byte(const unsigned char *p, size_t len)
{
	size_t	 i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		if (p[i] == 0)
			return (long)i;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			n = 1, cp = p[i] & 0x1f;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			n = 2, cp = p[i] & 0x0f;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			n = 3, cp = p[i] & 0x07;
		else
			return (long)i;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				return (long)i;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		/* Overlong, surrogates, beyond U+10FFFF. */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return (long)i;
		i += n + 1;
	}
	return -1;
}

/*
 * Annotations are free text (descriptions, runbook URLs with a password
 * in them): redacted before they are stored or posted. Labels are not:
 * they are the alert's identity, and hold names, not prose.
 */
static void
alerts_http_redact(struct alert_batch *b)
{
	size_t	 i, j;
	char	*clean;

	for (i = 0; i < b->n; i++) {
		for (j = 0; j < b->v[i].annotations.n; j++) {
			clean = redact_text(b->v[i].annotations.v[j].value);
			free(b->v[i].annotations.v[j].value);
			b->v[i].annotations.v[j].value = clean;
		}
	}
}

static void
alerts_http_handle(struct alerts_hook *h, const struct httpd_request *req,
    struct httpd_response *resp)
{
	struct alert_batch	 b;
	char			*err = NULL;
	size_t			 resolved = 0, i;
	long			 bad;

	if (!alerts_http_authorized(h, req->authorization)) {
		log_warn("alerts", "%s webhook refused: %s bearer token",
		    h->source, *req->authorization == '\0' ? "no" : "a wrong");
		alerts_http_error(resp, 401, "missing or wrong bearer token");
		return;
	}
	if ((bad = alerts_http_bad_byte((const unsigned char *)req->body,
	    req->body_len)) >= 0) {
		log_warn("alerts", "%s webhook refused (%zu bytes): %s at byte "
		    "%ld", h->source, req->body_len, req->body[bad] == '\0' ?
		    "a NUL byte" : "invalid UTF-8", bad);
		alerts_http_error(resp, 400, req->body[bad] == '\0' ?
		    "the body holds a NUL byte" : "the body is not valid UTF-8");
		return;
	}
	if (h->parse(req->body, req->body_len, clock_now_ms(), &b,
	    &err) != 0) {
		log_warn("alerts", "%s webhook refused (%zu bytes): %s",
		    h->source, req->body_len, err);
		alerts_http_error(resp, 400, err);
		free(err);
		return;
	}
	alerts_http_redact(&b);
	if (alerts_ingest(h->alerts, &b, &err) != 0) {
		log_error("alerts", "%s webhook: %zu alert(s) not stored, the "
		    "sender should retry: %s", h->source, b.n, err);
		alerts_http_error(resp, 503, "cannot store the alerts now; "
		    "retry later");
		free(err);
		alert_batch_release(&b);
		return;
	}
	for (i = 0; i < b.n; i++)
		resolved += b.v[i].resolved;
	log_debug("alerts", "%s webhook: %zu alert(s) stored (%zu resolved)",
	    h->source, b.n, resolved);
	alerts_http_body(resp, 200, "alerts", NULL, (double)b.n);
	alert_batch_release(&b);
}

/* Every request counted by source and answer (metrics.h). */
static void
alerts_http_hook(void *arg, const struct httpd_request *req,
    struct httpd_response *resp)
{
	struct alerts_hook	*h = arg;
	char			 status[16];

	alerts_http_handle(h, req, resp);
	snprintf(status, sizeof status, "%d", resp->status);
	metrics_add("opsbot_webhook_requests_total", 1, "source", h->source,
	    "status", status, NULL);
}

struct alerts_http *
alerts_http_start(struct httpd *httpd, struct alerts *alerts,
    const struct config *cfg)
{
	struct alerts_http	*ah = xcalloc(1, sizeof *ah);
	static const char *const paths[] = { "/hooks/alertmanager",
	    "/hooks/grafana", "/hooks/generic" };
	size_t			 i;

	ah->hooks[0] = (struct alerts_hook){ alerts, "alertmanager",
	    cfg->alerts.alertmanager_token, alert_parse_alertmanager };
	ah->hooks[1] = (struct alerts_hook){ alerts, "grafana",
	    cfg->alerts.grafana_token, alert_parse_grafana };
	ah->hooks[2] = (struct alerts_hook){ alerts, "generic",
	    cfg->alerts.generic_token, alert_parse_generic };
	httpd_set_body_max(httpd, cfg->alerts.max_body_bytes);
	httpd_set_max_connections(httpd, (size_t)cfg->alerts.max_connections);
	for (i = 0; i < 3; i++) {
		httpd_route(httpd, "POST", paths[i], alerts_http_hook,
		    &ah->hooks[i]);
	}
	return ah;
}

void
alerts_http_set_config(struct alerts_http *ah, struct httpd *httpd,
    const struct config *cfg)
{
	if (ah == NULL)
		return;
	ah->hooks[0].token = cfg->alerts.alertmanager_token;
	ah->hooks[1].token = cfg->alerts.grafana_token;
	ah->hooks[2].token = cfg->alerts.generic_token;
	httpd_set_body_max(httpd, cfg->alerts.max_body_bytes);
}

void
alerts_http_free(struct alerts_http *ah)
{
	free(ah);
}
