/*
 * Webhook intake on the bot's HTTP listener: POST /hooks/alertmanager,
 * /hooks/grafana and /hooks/generic. The answer says what happened to
 * the alerts, and only after the fact: 200 once they are committed, 503
 * when the store could not commit (Alertmanager retries 5xx), 400 with
 * the reason for a body that cannot be read (not retried: it would not
 * get better), 401 for a wrong or missing token.
 */

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

/* A JSON string for an error message (quotes and controls escaped). */
static void
alerts_http_error(struct httpd_response *resp, int status, const char *why)
{
	const char	*p;

	resp->status = status;
	buf_adds(&resp->body, "{\"status\":\"error\",\"error\":\"");
	for (p = why; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_addf(&resp->body, "\\%c", *p);
		else if ((unsigned char)*p < 0x20)
			buf_addf(&resp->body, "\\u%04x", (unsigned char)*p);
		else
			buf_addc(&resp->body, *p);
	}
	buf_adds(&resp->body, "\"}\n");
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

static void
alerts_http_hook(void *arg, const struct httpd_request *req,
    struct httpd_response *resp)
{
	struct alerts_hook	*h = arg;
	struct alert_batch	 b;
	char			*err = NULL;
	size_t			 resolved = 0, i;

	if (!alerts_http_authorized(h, req->authorization)) {
		log_warn("alerts", "%s webhook refused: %s bearer token",
		    h->source, *req->authorization == '\0' ? "no" : "a wrong");
		alerts_http_error(resp, 401, "missing or wrong bearer token");
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
	buf_addf(&resp->body, "{\"status\":\"ok\",\"alerts\":%zu}\n", b.n);
	alert_batch_release(&b);
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
