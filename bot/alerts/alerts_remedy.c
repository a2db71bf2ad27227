/*
 * Remediation with a human in the loop: a route's "remediate" is a
 * command line (usually a custom command's) with {label} placeholders
 * that the group's first firing alert fills in; the alert message gets
 * it as a button. A click runs that line as the person who clicks, so
 * RBAC applies, and a command that changes things answers with its
 * exact command line and a single-use Confirm button before it runs.
 * Label values come from the alert's sender: each goes into the line as
 * one quoted chat word (escape_dquoted), which the command's typed
 * parameters then check like anything typed. With remediate_auto the
 * engine runs the line itself (with --confirm, as the user
 * "remediation", whose role decides), at most once per remediate_every
 * per host, and says so in the group's threads.
 */

#include <stdlib.h>
#include <string.h>

#include "alerts_int.h"
#include "args.h"
#include "config.h"
#include "escape.h"
#include "log.h"
#include "xmalloc.h"

int
alerts_remedy_line(const struct cfg_route *r, const struct alert *a,
    struct buf *out)
{
	const char	*s, *end, *v;
	char		 name[128], host[256];
	size_t		 n;

	if (r->remediate == NULL || a == NULL)
		return -1;
	for (s = r->remediate; *s != '\0'; s++) {
		if ((*s == '{' && s[1] == '{') || (*s == '}' && s[1] == '}')) {
			buf_addc(out, *s++);
			continue;
		}
		if (*s != '{') {
			buf_addc(out, *s);
			continue;
		}
		/* The loader checked the braces; a name fits. */
		if ((end = strchr(s, '}')) == NULL ||
		    (n = (size_t)(end - s - 1)) >= sizeof name)
			return -1;
		memcpy(name, s + 1, n);
		name[n] = '\0';
		if (strcmp(name, "host") == 0) {
			alert_host(&a->labels, host, sizeof host);
			v = host;
		} else
			v = alert_label(a, name);
		/* Nothing to propose without the value. */
		if (*v == '\0')
			return -1;
		escape_dquoted(out, v);
		s = end;
	}
	return 0;
}

/* The route's last automatic run on host, made if new. */
static struct aremedy *
alerts_remedy_get(struct alerts *al, const struct cfg_route *r,
    const char *host)
{
	struct aremedy	*m;
	char		*key;

	xasprintf(&key, "%s\n%s", r->path, host);
	for (m = al->remedies; m != NULL; m = m->next) {
		if (strcmp(m->key, key) == 0) {
			free(key);
			return m;
		}
	}
	m = xcalloc(1, sizeof *m);
	m->key = key;
	m->next = al->remedies;
	al->remedies = m;
	return m;
}

void
alerts_remedy_auto(struct alerts *al, struct agroup *g, int64_t now,
    int (*post)(struct alerts *, const char *receiver, const char *kind,
    int64_t ref, const struct message *, int64_t *id))
{
	const struct cfg_route	*r = g->route;
	const struct alert	*a = NULL;
	struct aremedy		*m;
	struct anote		*n;
	struct message		 note;
	struct buf		 line, text;
	char			 host[256], every[32];
	size_t			 i;

	if (!r->remediate_auto || al->sink.run == NULL || g->notes == NULL)
		return;
	for (i = 0; i < g->n && a == NULL; i++) {
		if (g->members[i].alert->state == ALERT_FIRING)
			a = g->members[i].alert;
	}
	if (a == NULL)
		return;
	alert_host(&a->labels, host, sizeof host);
	m = alerts_remedy_get(al, r, host);
	/* At most once per remediate_every on a host: no restart loops. */
	if (m->ran_ms != 0 && now - m->ran_ms < r->remediate_every_s * 1000)
		return;
	buf_init(&line);
	if (alerts_remedy_line(r, a, &line) != 0) {
		buf_release(&line);
		return;
	}
	m->ran_ms = now;
	buf_adds(&line, " --confirm");
	duration_format(r->remediate_every_s, every, sizeof every);
	buf_init(&text);
	buf_addf(&text, "Remediation: running %s by itself (at most once "
	    "every %s on %s)", line.data, every, *host != '\0' ? host :
	    "a host");
	memset(&note, 0, sizeof note);
	note.text = text.data;
	note.status = MESSAGE_WARN;
	for (n = g->notes; n != NULL; n = n->next)
		post(al, n->receiver, "thread", n->outbox_id, &note, NULL);
	log_info("alerts", "%s: remediation: %s", g->key, line.data);
	/* The dispatcher audits it, as the user "remediation". */
	al->sink.run(al->sink.arg, g->notes->receiver, g->notes->outbox_id,
	    line.data);
	buf_release(&text);
	buf_release(&line);
}

void
alerts_remedy_free(struct alerts *al)
{
	struct aremedy	*m;

	while ((m = al->remedies) != NULL) {
		al->remedies = m->next;
		free(m->key);
		free(m);
	}
}
