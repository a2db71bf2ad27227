/*
 * fake-mattermost: the posts routes (create, ephemeral, patch) and the
 * buttons the bot posts, which /_control/click presses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-mattermost.h"

/*
 * Mattermost routes a click through POST /api/v4/posts/{post_id}/actions/
 * {action_id:[A-Za-z0-9]+} (server/channels/api4/post_action.go): an id
 * with anything else never matches the route, and the click gets the
 * router's 404 without reaching the integration.
 */
int
action_id_routable(const char *id)
{
	return id && *id &&
	       strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                  "0123456789") == strlen(id);
}

/*
 * Remembers the newest bot message whose attachments have buttons (a
 * post, an ephemeral post or a response URL answer), for /_control/click,
 * and every button the click route could never reach (dead_buttons).
 */
void
note_buttons(const cJSON *attachments, const char *post_id,
             const char *channel_id)
{
	const cJSON *att, *acts = NULL, *b;
	cJSON *n;

	cJSON_ArrayForEach(att, attachments) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(att, "actions");

		cJSON_ArrayForEach(b, a) {
			if (action_id_routable(jstr(b, "id")))
				continue;
			n = cJSON_CreateObject();
			cJSON_AddStringToObject(n, "post_id",
			                        post_id ? post_id : "");
			cJSON_AddItemToObject(n, "id", dup_or_null(
			    cJSON_GetObjectItemCaseSensitive(b, "id")));
			cJSON_AddItemToArray(g.dead_buttons, n);
		}
		if (!acts && cJSON_IsArray(a) && cJSON_GetArraySize(a) > 0)
			acts = a;
	}
	if (!acts)
		return;
	n = cJSON_CreateObject();
	cJSON_AddStringToObject(n, "post_id", post_id ? post_id : "");
	cJSON_AddStringToObject(n, "channel_id", channel_id ? channel_id : "");
	cJSON_AddItemToObject(n, "actions", cJSON_Duplicate(acts, 1));
	cJSON_Delete(g.last_buttons);
	g.last_buttons = n;
}

/*
 * The 403 of a missing permission, as the server's SetPermissionError
 * shapes it: the permission is named only in detailed_error.
 */
void
reply_permission_error(struct reply *r, const char *permission)
{
	cJSON *j = cJSON_CreateObject();
	char det[160];

	snprintf(det, sizeof(det), "userId=%s, permission=%s", BOT_USER_ID,
	         permission);
	cJSON_AddStringToObject(j, "id", "api.context.permissions.app_error");
	cJSON_AddStringToObject(j, "message",
	                        "You do not have the appropriate permissions.");
	cJSON_AddStringToObject(j, "detailed_error", det);
	cJSON_AddStringToObject(j, "request_id", "r1");
	cJSON_AddNumberToObject(j, "status_code", 403);
	reply_json(r, 403, j);
}

/* POST /api/v4/posts/ephemeral: {user_id, post:{channel_id,...}}. */
void
api_ephemeral_post(const struct pss *pss, struct reply *r)
{
	cJSON *in, *rec;
	const cJSON *post;

	/* A system permission bot accounts often lack (api4/post.go). */
	if (g.no_ephemeral) {
		reply_permission_error(r, "create_post_ephemeral");
		return;
	}
	in = body_json(pss, 0);

	post = in ? cJSON_GetObjectItemCaseSensitive(in, "post") : NULL;
	if (!in || !cJSON_IsObject(post) || !jstr(in, "user_id") ||
	    !jstr(post, "channel_id")) {
		cJSON_Delete(in);
		reply_bad_body(r, "post");
		return;
	}
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "user_id", jstr(in, "user_id"));
	cJSON_AddItemToObject(rec, "post", cJSON_Duplicate(post, 1));
	cJSON_AddItemToArray(g.ephemerals, rec);
	{
		char eid[27];

		snprintf(eid, sizeof(eid), "ephemeral%017d",
		         cJSON_GetArraySize(g.ephemerals));
		note_buttons(cJSON_GetObjectItemCaseSensitive(
		                 cJSON_GetObjectItemCaseSensitive(post, "props"),
		                 "attachments"),
		             eid, jstr(post, "channel_id"));
	}
	reply_json(r, 201, cJSON_Duplicate(post, 1));
	cJSON_Delete(in);
}

void
api_create_post(const struct pss *pss, struct reply *r)
{
	cJSON *in = body_json(pss, 0), *rec, *mention = NULL;
	const cJSON *props;
	const char *chan, *msg, *root, *pending, *type, *name, *disp, *team;
	const struct post *rp;
	struct post *p;
	char dmbuf[80];
	int delivered, queued;

	if (!in) {
		reply_bad_body(r, "post");
		return;
	}
	chan = jstr(in, "channel_id");
	msg = jstr(in, "message");
	root = jstr(in, "root_id");
	pending = jstr(in, "pending_post_id");
	props = cJSON_GetObjectItemCaseSensitive(in, "props");
	if (!chan || !*chan) {
		reply_app_error(r, 400, "api.context.invalid_param.app_error",
		                "Invalid or missing channel_id in request "
		                "body.");
		goto out;
	}
	if (!channel_by_id(chan) && !is_dm(chan)) {
		reply_app_error(r, 403, "api.context.permissions.app_error",
		                "You do not have the appropriate permissions.");
		goto out;
	}
	if (channel_by_id(chan) && !channel_by_id(chan)->bot_member) {
		reply_permission_error(r, "create_post");
		goto out;
	}
	if (!msg)
		msg = "";
	if (utf8_runes(msg) > MAX_MESSAGE_RUNES) {
		reply_app_error(r, 400, "model.post.is_valid.message_length."
		                        "app_error",
		                "Invalid Message property length.");
		goto out;
	}
	if (props && !cJSON_IsObject(props) && !cJSON_IsNull(props)) {
		reply_bad_body(r, "post");
		goto out;
	}
	if (root && *root &&
	    (!(rp = post_find(root)) || strcmp(rp->channel_id, chan))) {
		reply_app_error(r, 400, "api.post.create_post.root_id.app_error",
		                "Invalid RootId parameter.");
		goto out;
	}
	/*
	 * deduplicateCreatePost (app/post.go): a pending_post_id seen in
	 * the last 30 s gets the post made then, 201, and nothing new.
	 */
	if (pending && *pending) {
		int i;

		for (i = g.n_posts - 1; i >= 0; i--) {
			struct post *q = g.posts[i];

			if (q->pending_id && !strcmp(q->pending_id, pending) &&
			    now_ms() - q->create_at < PENDING_TTL_MS) {
				g.deduped++;
				reply_json(r, 201, post_json(q));
				goto out;
			}
		}
	}
	p = post_new();
	snprintf(p->channel_id, sizeof(p->channel_id), "%s", chan);
	snprintf(p->root_id, sizeof(p->root_id), "%s", root ? root : "");
	snprintf(p->user_id, sizeof(p->user_id), "%s", BOT_USER_ID);
	p->message = xstrdup(msg);
	p->props = cJSON_IsObject(props) ? cJSON_Duplicate(props, 1) : NULL;
	p->pending_id = pending ? xstrdup(pending) : NULL;

	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "id", p->id);
	cJSON_AddStringToObject(rec, "channel_id", p->channel_id);
	cJSON_AddStringToObject(rec, "root_id", p->root_id);
	cJSON_AddStringToObject(rec, "message", p->message);
	cJSON_AddItemToObject(rec, "props", dup_or_null(p->props));
	cJSON_AddNumberToObject(rec, "create_at", (double)p->create_at);
	cJSON_AddStringToObject(rec, "pending_post_id",
	                        p->pending_id ? p->pending_id : "");
	cJSON_AddItemToArray(g.rec_posts, rec);
	note_buttons(cJSON_GetObjectItemCaseSensitive(p->props, "attachments"),
	             p->id, p->channel_id);

	reply_json(r, 201, post_json(p));
	/* Mattermost sends the bot its own post too. */
	channel_fields(chan, &type, &name, &disp, &team, dmbuf, sizeof(dmbuf));
	if (!strcmp(type, "D")) { /* the other member is mentioned */
		mention = cJSON_CreateArray();
		cJSON_AddItemToArray(mention, cJSON_CreateString(JDOE_ID));
	}
	emit_posted(p, "@" BOT_USERNAME, type, name, disp, team, mention,
	            pss->set_online, &delivered, &queued, NULL);
	cJSON_Delete(mention);
	if (g.lose_posts > 0) {
		/* Made, but the answer is lost on the way (a proxy's 504). */
		g.lose_posts--;
		reply_set(r, 504, "text/plain", "gateway timeout");
	}
out:
	cJSON_Delete(in);
}

void
api_patch_post(const struct pss *pss, const char *id, struct reply *r)
{
	cJSON *in = body_json(pss, 0), *rec, *d, *pj, *bc;
	const cJSON *props;
	const char *msg;
	struct post *p = post_find(id);
	char *ps;
	int delivered, queued;

	if (!in) {
		reply_bad_body(r, "patch");
		return;
	}
	if (!p) {
		reply_app_error(r, 404, "app.post.get.app_error",
		                "Unable to get the post.");
		goto out;
	}
	if (strcmp(p->user_id, BOT_USER_ID)) {
		reply_app_error(r, 403, "api.context.permissions.app_error",
		                "You do not have the appropriate permissions.");
		goto out;
	}
	msg = jstr(in, "message");
	props = cJSON_GetObjectItemCaseSensitive(in, "props");
	if (msg && utf8_runes(msg) > MAX_MESSAGE_RUNES) {
		reply_app_error(r, 400, "model.post.is_valid.message_length."
		                        "app_error",
		                "Invalid Message property length.");
		goto out;
	}
	if (msg) {
		free(p->message);
		p->message = xstrdup(msg);
	}
	if (cJSON_IsObject(props)) {
		cJSON_Delete(p->props);
		p->props = cJSON_Duplicate(props, 1);
		note_buttons(cJSON_GetObjectItemCaseSensitive(props,
		                                              "attachments"),
		             p->id, p->channel_id);
	}
	p->edit_at = p->update_at = next_ms();

	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "id", p->id);
	cJSON_AddItemToObject(rec, "message", msg ? cJSON_CreateString(msg)
	                                          : cJSON_CreateNull());
	cJSON_AddItemToObject(rec, "props", dup_or_null(props));
	cJSON_AddItemToArray(g.patches, rec);

	pj = post_json(p);
	ps = json_text(pj);
	reply_json(r, 200, pj);
	/* post_edited: one more event the bot must ignore */
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "post", ps);
	bc = broadcast_new("", p->channel_id, "");
	broadcast_event("post_edited", d, bc, &delivered, &queued, NULL);
	cJSON_Delete(d);
	cJSON_Delete(bc);
	free(ps);
out:
	cJSON_Delete(in);
}
