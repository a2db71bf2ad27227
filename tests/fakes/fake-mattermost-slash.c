/*
 * fake-mattermost: what the fake sends to the bot over HTTP: slash
 * commands (POST /_control/slash) and button clicks (/_control/click),
 * and the stand-in command receiver /_control/echo.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-mattermost.h"

static void
job_free(struct slash_job *j)
{
	struct slash_job **pp;

	for (pp = &g.jobs; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	lws_sul_cancel(&j->sul);
	free(j->form);
	buf_free(&j->answer);
	cJSON_Delete(j->rec);
	free(j);
}

/*
 * A slash command's HTTP answer with something to say: Mattermost posts
 * it as the command's answer, as if sent to its response URL, so it is
 * one of the responses too ("via":"slash").
 */
static void
slash_answer_shown(const struct slash_job *j, const cJSON *rec,
                   const char *err)
{
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(rec, "body");
	const char *text = jstr(body, "text"), *url = jstr(rec, "response_url");
	cJSON *r;

	if (j->is_click || err || j->status != 200 || !cJSON_IsObject(body) ||
	    !url ||
	    ((!text || !*text) &&
	     !cJSON_HasObjectItem(body, "attachments")))
		return;
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "url", url);
	cJSON_AddStringToObject(r, "via", "slash");
	cJSON_AddItemToObject(r, "body", cJSON_Duplicate(body, 1));
	cJSON_AddStringToObject(r, "content_type", j->ctype);
	cJSON_AddNumberToObject(r, "rtt_us", (double)(now_us() - j->t0_us));
	cJSON_AddItemToArray(g.responses, r);
}

/* Records the outcome once; answers the waiting control request. */
static void
job_finish(struct slash_job *j, const char *err)
{
	cJSON *body, *rec;

	if (j->done)
		return;
	j->done = 1;
	lws_sul_cancel(&j->sul);
	rec = j->rec;
	cJSON_AddNumberToObject(rec, "status", err ? 0 : j->status);
	cJSON_AddStringToObject(rec, "content_type", j->ctype);
	body = j->answer.len ? cJSON_ParseWithLength(j->answer.p, j->answer.len)
	                     : NULL;
	cJSON_AddItemToObject(rec, "body",
	                      body ? body
	                           : cJSON_CreateString(j->answer.p ? j->answer.p
	                                                            : ""));
	cJSON_AddItemToObject(rec, "error", err ? cJSON_CreateString(err)
	                                        : cJSON_CreateNull());
	cJSON_AddNumberToObject(rec, "elapsed_ms",
	                        (double)((now_us() - j->t0_us) / 1000));
	cJSON_AddItemToArray(j->is_click ? g.click_results : g.slash_results,
	                     cJSON_Duplicate(rec, 1));
	slash_answer_shown(j, rec, err);
	say("%s %d -> %s %d%s%s", j->is_click ? "click" : "slash", j->id,
	    jstr(rec, "url"),
	    err ? 0 : j->status, err ? " " : "", err ? err : "");
	if (j->waiter && !fs.shutting_down) {
		struct pss *w = j->waiter_pss;

		w->wait = NULL;
		reply_json(&w->q.rep, 200, cJSON_Duplicate(rec, 1));
		fh_reply_ready(j->waiter, &w->q);
		j->waiter = NULL;
		j->waiter_pss = NULL;
	}
	if (j->closed && !j->connecting)
		job_free(j);
}

static void
job_timeout(lws_sorted_usec_list_t *sul)
{
	struct slash_job *j = lws_container_of(sul, struct slash_job, sul);
	struct lws *wsi = j->wsi;

	if (wsi) {
		/* the close callback frees j once it is done */
		lws_set_opaque_user_data(wsi, NULL);
		j->wsi = NULL;
		j->closed = 1;
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	} else
		j->closed = 1;
	job_finish(j, "timeout");
}

static void
job_detach(struct lws *wsi, struct slash_job *j)
{
	lws_set_opaque_user_data(wsi, NULL);
	j->wsi = NULL;
	j->closed = 1;
	if (j->done && !j->connecting)
		job_free(j);
}

int
slash_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
         void *in, size_t len)
{
	struct slash_job *j = lws_get_opaque_user_data(wsi);

	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
		unsigned char **p = (unsigned char **)in, *end = (*p) + len;
		char cl[24];

		if (!j)
			return -1;
		if (j->auth[0] &&
		    lws_add_http_header_by_token(
		        wsi, WSI_TOKEN_HTTP_AUTHORIZATION,
		        (unsigned char *)j->auth, (int)strlen(j->auth), p, end))
			return -1;
		if (lws_add_http_header_by_token(
		        wsi, WSI_TOKEN_HTTP_ACCEPT,
		        (unsigned char *)"application/json", 16, p, end))
			return -1;
		if (!j->is_post)
			break;
		snprintf(cl, sizeof(cl), "%zu", strlen(j->form));
		if (lws_add_http_header_by_token(
		        wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
		        (unsigned char *)(j->is_click
		                              ? "application/json"
		                              : "application/x-www-form-urlencoded"),
		        j->is_click ? 16 : 33, p, end) ||
		    lws_add_http_header_by_token(
		        wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH,
		        (unsigned char *)cl, (int)strlen(cl), p, end))
			return -1;
		lws_client_http_body_pending(wsi, 1);
		lws_callback_on_writable(wsi);
		break;
	}

	case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE: {
		size_t n;
		unsigned char *b;
		int w;

		if (!j || !j->is_post || j->body_sent)
			break;
		n = strlen(j->form);
		b = xmalloc(LWS_PRE + n + 1);
		memcpy(b + LWS_PRE, j->form, n);
		w = lws_write(wsi, b + LWS_PRE, n, LWS_WRITE_HTTP_FINAL);
		free(b);
		if (w < (int)n)
			return -1;
		j->body_sent = 1;
		lws_client_http_body_pending(wsi, 0);
		break;
	}

	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		if (j) {
			j->status = (int)lws_http_client_http_response(wsi);
			if (lws_hdr_copy(wsi, j->ctype, sizeof(j->ctype),
			                 WSI_TOKEN_HTTP_CONTENT_TYPE) < 0)
				j->ctype[0] = '\0';
		}
		break;

	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: {
		char buffer[4096 + LWS_PRE], *px = buffer + LWS_PRE;
		int lenx = (int)sizeof(buffer) - LWS_PRE;

		if (lws_http_client_read(wsi, &px, &lenx) < 0)
			return -1;
		return 0;
	}

	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
		if (j && !j->done)
			buf_add(&j->answer, in, len, MAX_SLASH_ANSWER);
		return 0;

	case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
		if (j && !fs.shutting_down)
			job_finish(j, NULL);
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (j) {
			char err[200];

			snprintf(err, sizeof(err), "connect: %s",
			         in ? (const char *)in : "failed");
			if (!fs.shutting_down)
				job_finish(j, err);
			job_detach(wsi, j);
		}
		break;

	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
		if (j) {
			if (!fs.shutting_down)
				job_finish(j, "closed before the answer");
			job_detach(wsi, j);
		}
		break;

	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp((*(cJSON *const *)a)->string,
	              (*(cJSON *const *)b)->string);
}

/* The fields form-encoded, keys sorted as Go's url.Values.Encode. */
static char *
encode_fields(const cJSON *fields)
{
	const cJSON *it;
	cJSON **items;
	struct buf b = { 0 };
	int n = 0, i;

	items = xcalloc((size_t)cJSON_GetArraySize(fields) + 1,
	                sizeof(*items));
	cJSON_ArrayForEach(it, fields) items[n++] = (cJSON *)it;
	qsort(items, (size_t)n, sizeof(*items), cmp_keys);
	buf_str(&b, "");
	for (i = 0; i < n; i++) {
		if (i)
			buf_str(&b, "&");
		form_encode(&b, items[i]->string);
		buf_str(&b, "=");
		form_encode(&b, items[i]->valuestring);
	}
	free(items);
	return b.p;
}

/*
 * Connects j's HTTP client and sends it. With wait, the control request
 * (wsi, pss) is answered with the result later and 1 is returned;
 * otherwise r gets pending (owned) at once.
 */
static int
job_launch(struct lws *wsi, struct pss *pss, struct slash_job *j, int wait,
           struct reply *r, cJSON *pending)
{
	struct lws_client_connect_info ci;
	struct lws *cwsi;
	char host[80];

	j->next = g.jobs;
	g.jobs = j;
	memset(&ci, 0, sizeof(ci));
	snprintf(host, sizeof(host), "%s:%d", j->host, j->port);
	ci.context = fs.cx;
	ci.vhost = fs.vh;
	ci.address = j->host;
	ci.port = j->port;
	ci.path = j->path;
	ci.host = host;
	ci.method = j->is_post ? "POST" : "GET";
	ci.alpn = "http/1.1";
	ci.ssl_connection = 0;
	ci.local_protocol_name = SLASH_PCOL;
	ci.opaque_user_data = j;
	lws_sul_schedule(fs.cx, 0, &j->sul, job_timeout,
	                 (lws_usec_t)SLASH_TIMEOUT_MS * LWS_US_PER_MS);
	/*
	 * No ci.pwsi: lws never holds a pointer into j. A connection error
	 * can be reported from inside the call; j->connecting keeps j alive
	 * until it returns.
	 */
	j->connecting = 1;
	cwsi = lws_client_connect_via_info(&ci);
	j->connecting = 0;
	if (!cwsi || j->closed) {
		j->wsi = NULL;
		j->closed = 1;
		job_finish(j, "connect: failed"); /* no-op if already done */
	} else
		j->wsi = cwsi;
	if (j->done) {
		cJSON_Delete(pending);
		reply_json(r, 200, cJSON_Duplicate(j->rec, 1));
		if (j->closed)
			job_free(j);
		return 0;
	}
	if (wait) {
		cJSON_Delete(pending);
		j->waiter = wsi;
		j->waiter_pss = pss;
		pss->wait = j;
		return 1;
	}
	reply_json(r, 200, pending);
	return 0;
}

static const cJSON *
command_by_trigger(const char *command)
{
	const cJSON *it;

	if (*command == '/')
		command++;
	cJSON_ArrayForEach(it, g.commands) {
		const char *tr = jstr(it, "trigger");

		if (tr && !strcasecmp(tr, command))
			return it;
	}
	return NULL;
}

/*
 * POST /_control/slash. Returns 1 when the answer waits for the bot.
 */
int
control_slash(struct lws *wsi, struct pss *pss, const cJSON *in,
              struct reply *r)
{
	static const char *const own[] = { "url", "method", "authorization",
		                           "wait" };
	const char *command = jstr(in, "command"), *url, *method, *tok;
	const char *prot, *ads, *path;
	const cJSON *cmd, *it;
	struct slash_job *j;
	char hookurl[160], hookid[32], trig[64], ubuf[1100];
	cJSON *fields, *rec;
	int port, wait = jbool(in, "wait", 1);
	size_t i;

	if (!command)
		command = "/opsbot";
	cmd = command_by_trigger(command);
	url = jstr(in, "url");
	if (!url && cmd)
		url = jstr(cmd, "url");
	method = jstr(in, "method");
	if (!method)
		method = cmd && jstr(cmd, "method") ? jstr(cmd, "method") : "P";
	tok = jstr(in, "token");
	if (!tok)
		tok = cmd && jstr(cmd, "token") ? jstr(cmd, "token")
		                                : "fake-command-token";
	if (!url) {
		reply_error(r, 400, "no_url");
		return 0;
	}
	if (strlen(url) >= sizeof(ubuf) - 1) {
		reply_error(r, 400, "bad_url");
		return 0;
	}
	snprintf(ubuf, sizeof(ubuf), "%s", url);
	if (lws_parse_uri(ubuf, &prot, &ads, &port, &path) ||
	    strcmp(prot, "http") ||
	    (strcmp(ads, "127.0.0.1") && strcmp(ads, "localhost"))) {
		reply_error(r, 400, "url_must_be_http_127.0.0.1");
		return 0;
	}
	if (strcmp(method, "P") && strcmp(method, "G")) {
		reply_error(r, 400, "method_must_be_P_or_G");
		return 0;
	}

	new_hook(hookurl, sizeof(hookurl), hookid, sizeof(hookid));
	snprintf(trig, sizeof(trig), "trig%022d", ++g.n_trigger);
	fields = cJSON_CreateObject();
	{
		const struct {
			const char *key, *dflt;
		} f[] = {
			{ "token", tok },
			{ "team_id", TEAM_ID },
			{ "team_domain", TEAM_NAME },
			{ "channel_id", CHAN_PROD },
			{ "channel_name", "ops-prod" },
			{ "user_id", JDOE_ID },
			{ "user_name", "jdoe" },
			{ "command", command },
			{ "text", "status" },
			{ "response_url", hookurl },
			{ "trigger_id", trig },
		};

		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			const char *v = jstr(in, f[i].key);

			cJSON_AddStringToObject(fields, f[i].key,
			                        v ? v : f[i].dflt);
		}
	}
	/* any other key the test passes becomes one more form field */
	cJSON_ArrayForEach(it, in) {
		int skip = 0;

		for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
			if (!strcmp(it->string, own[i]))
				skip = 1;
		if (skip || cJSON_HasObjectItem(fields, it->string))
			continue;
		if (cJSON_IsString(it))
			cJSON_AddStringToObject(fields, it->string,
			                        it->valuestring);
		else {
			char *s = json_text(it);

			cJSON_AddStringToObject(fields, it->string, s);
			free(s);
		}
	}

	j = xcalloc(1, sizeof(*j));
	j->id = ++g.n_jobs;
	j->is_post = !strcmp(method, "P");
	j->port = port;
	j->t0_us = now_us();
	snprintf(j->host, sizeof(j->host), "%s", ads);
	j->form = encode_fields(fields);
	if (j->is_post)
		snprintf(j->path, sizeof(j->path), "/%s", path);
	else
		snprintf(j->path, sizeof(j->path), "/%s%s%s", path,
		         strchr(path, '?') ? "&" : "?", j->form);
	it = cJSON_GetObjectItemCaseSensitive(in, "authorization");
	if (cJSON_IsString(it))
		snprintf(j->auth, sizeof(j->auth), "%s", it->valuestring);
	else
		snprintf(j->auth, sizeof(j->auth), "Token %s", tok);

	rec = cJSON_CreateObject();
	cJSON_AddNumberToObject(rec, "id", j->id);
	cJSON_AddStringToObject(rec, "url", url);
	cJSON_AddStringToObject(rec, "method", j->is_post ? "POST" : "GET");
	cJSON_AddStringToObject(rec, "command", jstr(fields, "command"));
	cJSON_AddStringToObject(rec, "text", jstr(fields, "text"));
	cJSON_AddStringToObject(rec, "token", jstr(fields, "token"));
	cJSON_AddStringToObject(rec, "response_url", hookurl);
	cJSON_AddStringToObject(rec, "trigger_id", jstr(fields, "trigger_id"));
	j->rec = rec;
	cJSON_Delete(fields);
	{
		cJSON *a = cJSON_CreateObject();

		cJSON_AddNumberToObject(a, "id", j->id);
		cJSON_AddStringToObject(a, "response_url", hookurl);
		cJSON_AddStringToObject(a, "trigger_id", trig);
		cJSON_AddTrueToObject(a, "pending");
		say("slash %d: %s %s to %s", j->id, jstr(rec, "command"),
		    jstr(rec, "text"), url);
		return job_launch(wsi, pss, j, wait, r, a);
	}
}

/*
 * POST /_control/click: a person presses a button the bot posted. The
 * post is "post_id" (a stored post) or the newest bot message with
 * buttons; the button is "action_id" (its id) or the first. The fake
 * POSTs the docs/protocols.md §5.4 JSON to the button's integration.url with
 * its context exactly as stored ("url" and "context" override them, to
 * forge a click). Returns 1 when the answer waits for the bot.
 */
int
control_click(struct lws *wsi, struct pss *pss, const cJSON *in,
              struct reply *r)
{
	const char *post_id = jstr(in, "post_id"), *want = jstr(in, "action_id");
	const char *url, *chan, *prot, *ads, *path, *type, *cname, *disp, *team;
	const cJSON *acts = NULL, *act = NULL, *it, *ctx, *integ;
	const struct post *p;
	struct slash_job *j;
	char ubuf[1100], trig[64], dmbuf[80];
	cJSON *body, *rec;
	int port;

	if (post_id) {
		if (!(p = post_find(post_id))) {
			reply_error(r, 404, "no_such_post");
			return 0;
		}
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(
		                           p->props, "attachments")) {
			const cJSON *a =
			    cJSON_GetObjectItemCaseSensitive(it, "actions");

			if (!acts && cJSON_IsArray(a))
				acts = a;
		}
		chan = p->channel_id;
	} else {
		acts = cJSON_GetObjectItemCaseSensitive(g.last_buttons,
		                                        "actions");
		post_id = jstr(g.last_buttons, "post_id");
		chan = jstr(g.last_buttons, "channel_id");
	}
	cJSON_ArrayForEach(it, acts) {
		const char *id = jstr(it, "id");

		if (!act && (!want || (id && !strcmp(id, want))))
			act = it;
	}
	if (!act) {
		reply_error(r, 404, "no_button");
		return 0;
	}
	if (!action_id_routable(jstr(act, "id"))) {
		/* What the clicker's client gets; the bot hears nothing. */
		rec = cJSON_CreateObject();
		cJSON_AddNumberToObject(rec, "id", ++g.n_jobs);
		cJSON_AddStringToObject(rec, "post_id", post_id ? post_id : "");
		cJSON_AddItemToObject(rec, "action_id", dup_or_null(
		    cJSON_GetObjectItemCaseSensitive(act, "id")));
		cJSON_AddNumberToObject(rec, "status", 404);
		cJSON_AddStringToObject(rec, "error",
		                        "api.context.404.app_error: no route "
		                        "for this action id ([A-Za-z0-9]+)");
		cJSON_AddItemToArray(g.click_results, cJSON_Duplicate(rec, 1));
		say("click %d: id %s is not routable: 404", g.n_jobs,
		    jstr(act, "id") ? jstr(act, "id") : "(none)");
		reply_json(r, 200, rec);
		return 0;
	}
	integ = cJSON_GetObjectItemCaseSensitive(act, "integration");
	url = jstr(in, "url") ? jstr(in, "url") : jstr(integ, "url");
	ctx = cJSON_HasObjectItem(in, "context")
	          ? cJSON_GetObjectItemCaseSensitive(in, "context")
	          : cJSON_GetObjectItemCaseSensitive(integ, "context");
	if (!url || strlen(url) >= sizeof(ubuf) - 1) {
		reply_error(r, 400, "no_url");
		return 0;
	}
	snprintf(ubuf, sizeof(ubuf), "%s", url);
	if (lws_parse_uri(ubuf, &prot, &ads, &port, &path) ||
	    strcmp(prot, "http") ||
	    (strcmp(ads, "127.0.0.1") && strcmp(ads, "localhost"))) {
		reply_error(r, 400, "url_must_be_http_127.0.0.1");
		return 0;
	}
	if (jstr(in, "channel_id"))
		chan = jstr(in, "channel_id");
	if (!chan || !*chan)
		chan = CHAN_PROD;
	channel_fields(chan, &type, &cname, &disp, &team, dmbuf, sizeof(dmbuf));
	snprintf(trig, sizeof(trig), "trig%022d", ++g.n_trigger);

	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "user_id", jstr(in, "user_id")
	                                             ? jstr(in, "user_id")
	                                             : JDOE_ID);
	cJSON_AddStringToObject(body, "user_name", jstr(in, "user_name")
	                                               ? jstr(in, "user_name")
	                                               : "jdoe");
	cJSON_AddStringToObject(body, "channel_id", chan);
	cJSON_AddStringToObject(body, "channel_name", cname);
	cJSON_AddStringToObject(body, "team_id", TEAM_ID);
	cJSON_AddStringToObject(body, "team_domain", TEAM_NAME);
	cJSON_AddStringToObject(body, "post_id", post_id ? post_id : "");
	cJSON_AddStringToObject(body, "trigger_id", trig);
	cJSON_AddStringToObject(body, "type", "button");
	cJSON_AddStringToObject(body, "data_source", "");
	cJSON_AddItemToObject(body, "context",
	                      ctx ? cJSON_Duplicate(ctx, 1) : cJSON_CreateNull());

	j = xcalloc(1, sizeof(*j));
	j->id = ++g.n_jobs;
	j->is_post = 1;
	j->is_click = 1;
	j->port = port;
	j->t0_us = now_us();
	snprintf(j->host, sizeof(j->host), "%s", ads);
	snprintf(j->path, sizeof(j->path), "/%s", path);
	j->form = json_text(body);
	j->auth[0] = '\0'; /* Mattermost sends no token with a click */

	rec = cJSON_CreateObject();
	cJSON_AddNumberToObject(rec, "id", j->id);
	cJSON_AddStringToObject(rec, "url", url);
	cJSON_AddStringToObject(rec, "post_id", post_id ? post_id : "");
	cJSON_AddItemToObject(rec, "action_id",
	                      dup_or_null(cJSON_GetObjectItemCaseSensitive(act,
	                                                                   "id")));
	cJSON_AddItemToObject(rec, "request", body);
	j->rec = rec;
	say("click %d: %s on %s to %s", j->id,
	    jstr(act, "id") ? jstr(act, "id") : "?", post_id ? post_id : "-",
	    url);
	{
		cJSON *a = cJSON_CreateObject();

		cJSON_AddNumberToObject(a, "id", j->id);
		cJSON_AddTrueToObject(a, "pending");
		return job_launch(wsi, pss, j, jbool(in, "wait", 1), r, a);
	}
}

/*
 * POST (or GET) /_control/echo: a stand-in slash command receiver, so the
 * self-test can deliver a command to this very fake. Answers ?status=N
 * (200 by default) with the request it got.
 */
void
control_echo(struct lws *wsi, const struct pss *pss, struct reply *r)
{
	cJSON *j = cJSON_CreateObject(), *req, *form;
	char frag[2048];
	const char *cmd, *text;
	char t[600];
	int i;

	if (pss->q.method == M_POST)
		form = parse_form(pss->q.body.p ? pss->q.body.p : "", pss->q.body.len, NULL);
	else {
		form = cJSON_CreateObject();
		for (i = 0; lws_hdr_copy_fragment(wsi, frag, sizeof(frag),
		                                  WSI_TOKEN_HTTP_URI_ARGS,
		                                  i) >= 0;
		     i++) {
			char *eq = strchr(frag, '=');

			if (!eq || eq == frag)
				continue;
			*eq = '\0';
			if (!cJSON_HasObjectItem(form, frag))
				cJSON_AddStringToObject(form, frag, eq + 1);
		}
	}
	cmd = jstr(form, "command");
	text = jstr(form, "text");
	snprintf(t, sizeof(t), "echo: %s %s", cmd ? cmd : "", text ? text : "");
	cJSON_AddStringToObject(j, "response_type", "ephemeral");
	cJSON_AddStringToObject(j, "text", t);
	req = cJSON_AddObjectToObject(j, "request");
	cJSON_AddStringToObject(req, "method", method_names[pss->q.method]);
	cJSON_AddStringToObject(req, "authorization", pss->q.auth);
	cJSON_AddStringToObject(req, "content_type", pss->q.ctype);
	cJSON_AddStringToObject(req, "accept", pss->accept);
	cJSON_AddItemToObject(req, "form", form);
	reply_json(r, pss->arg_status >= 100 && pss->arg_status <= 599
	                  ? pss->arg_status
	                  : 200,
	           j);
}

