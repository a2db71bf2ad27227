/*
 * Renderers of the neutral message (see message.h). Text from hosts and
 * users is escaped for Slack mrkdwn (&, <, >) and kept inside code blocks;
 * long blocks are split to fit Slack's 3,000 characters per section. The
 * one thing sent live is a message's mention, and only in the forms that
 * page someone on that platform.
 */

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "message.h"
#include "xmalloc.h"

/*
 * Every platform limit a rendered message must respect, in one place, so
 * that no alert or answer can become a message the platform refuses or a
 * body its server cuts (which would hold a channel's queue). Counted in
 * bytes: a byte count bounds the platform's character (rune) count.
 * Slack (Block Kit reference, chat.postMessage): text 40,000 characters,
 * 4,000 recommended; section text 3,000; a field 2,000; 50 blocks; button
 * text 75, value 2,000, url 3,000. Mattermost (model/post.go): message
 * 16,383 runes, props 800,000 runes in all.
 */
#define MESSAGE_SLACK_TEXT	4000	/* the notification text */
#define MESSAGE_SLACK_SECTION_MAX 3000
#define MESSAGE_SLACK_SECTION	2900	/* of 3000, room for the fences */
#define MESSAGE_SLACK_FIELD	2000
#define MESSAGE_SLACK_BLOCKS	45	/* of 50 */
#define MESSAGE_BUTTON_LABEL	75
#define MESSAGE_BUTTON_VALUE	2000
#define MESSAGE_BUTTON_URL	3000
#define MESSAGE_MM_MESSAGE	16000	/* of 16,383 runes */
#define MESSAGE_MM_TEXT		4000	/* the attachment's own text */
#define MESSAGE_MM_CODE		16000	/* the code block in it */
#define MESSAGE_MM_FALLBACK	4000
#define MESSAGE_MM_FIELD	2000

const char *
message_color(enum message_status s)
{
	switch (s) {
	case MESSAGE_OK:
		return "#2EB67D";
	case MESSAGE_WARN:
		return "#ECB22E";
	case MESSAGE_CRIT:
		return "#E01E5A";
	case MESSAGE_INFO:
		return "#36C5F0";
	case MESSAGE_PLAIN:
		break;
	}
	return NULL;
}

const char *
message_status_word(enum message_status s)
{
	static const char *const words[] = { "", "OK", "WARN", "CRIT",
	    "INFO" };

	return words[s];
}

/*
 * Where to cut s so that at most max bytes remain: never inside a UTF-8
 * sequence, nor inside an entity (&amp;) the escaping wrote.
 */
static size_t
message_cut_at(const char *s, size_t len, size_t max)
{
	size_t	 n, i;

	if (len <= max)
		return len;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	for (i = n; i > 0 && n - i < 5; i--) {
		if (s[i - 1] == ';')
			break;
		if (s[i - 1] == '&') {
			n = i - 1;
			break;
		}
	}
	return n;
}

/* Cuts what b holds after start to max bytes, "…" (3 bytes) included. */
static void
message_clip(struct buf *b, size_t start, size_t max)
{
	size_t	 n;

	if (b->len - start <= max)
		return;
	n = message_cut_at(b->data + start, b->len - start, max - 3);
	b->len = start + n;
	b->data[b->len] = '\0';
	buf_adds(b, "…");
}

/* A copy of s cut to max bytes with "…"; caller frees. */
static char *
message_clipped(const char *s, size_t max)
{
	struct buf	 b;

	buf_init(&b);
	buf_adds(&b, s);
	message_clip(&b, 0, max);
	return buf_detach(&b);
}

/* A button whose value or url would be refused is left out, not cut:
 * a cut command line would run something else. */
static int
message_button_fits(const struct message_button *btn)
{
	if (btn->url != NULL)
		return strlen(btn->url) <= MESSAGE_BUTTON_URL;
	return btn->value != NULL && strlen(btn->value) <= MESSAGE_BUTTON_VALUE;
}
/* s and a newline, when there is an s. */
static void
message_line(struct buf *b, const char *s)
{
	if (s == NULL)
		return;
	buf_adds(b, s);
	buf_addc(b, '\n');
}


char *
message_render_text(const struct message *m)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	/* Added, not formatted: an answer's block can be long. */
	message_line(&b, m->mention);
	message_line(&b, m->title);
	message_line(&b, m->text);
	for (i = 0; i < m->nfields; i++)
		buf_addf(&b, "%s: %s\n", m->fields[i].title,
		    m->fields[i].value);
	message_line(&b, m->code);
	for (i = 0; i < m->nbuttons; i++) {
		if (m->buttons[i].url != NULL)
			buf_addf(&b, "%s: %s\n", m->buttons[i].label,
			    m->buttons[i].url);
	}
	while (b.len > 0 && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	return buf_detach(&b);
}

/* Length of a Slack special mention at s ("<!here>", "<@U1>"), or 0. */
static size_t
message_slack_special(const char *s)
{
	static const char *const bare[] = { "<!here", "<!channel",
	    "<!everyone", NULL };
	const char	*p = NULL;
	size_t		 i, n;

	for (i = 0; bare[i] != NULL && p == NULL; i++) {
		n = strlen(bare[i]);
		if (strncmp(s, bare[i], n) == 0)
			p = s + n;
	}
	if (p == NULL && (strncmp(s, "<!subteam^", 10) == 0 ||
	    strncmp(s, "<@", 2) == 0)) {
		p = s + (s[1] == '@' ? 2 : 10);
		if (s[1] == '@' && *p != 'U' && *p != 'W')
			return 0;
		for (n = 0; isupper((unsigned char)p[n]) ||
		    isdigit((unsigned char)p[n]); n++)
			;
		if (n == 0)
			return 0;
		p += n;
	}
	if (p == NULL)
		return 0;
	if (*p == '|') {
		for (p++; *p != '\0' && *p != '>' && *p != '<' && *p != '&';
		    p++)
			;
	}
	return *p == '>' ? (size_t)(p + 1 - s) : 0;
}

void
message_slack_mention(struct buf *b, const char *mention)
{
	const char	*s = mention;
	size_t		 n;

	while (*s != '\0') {
		if ((n = message_slack_special(s)) > 0) {
			buf_add(b, s, n);
			s += n;
		} else {
			escape_slack_mrkdwn(b, s, 1);
			s++;
		}
	}
}

static cJSON *
message_slack_section(const char *mrkdwn)
{
	cJSON	*sec = cJSON_CreateObject(), *t;

	cJSON_AddStringToObject(sec, "type", "section");
	t = cJSON_AddObjectToObject(sec, "text");
	cJSON_AddStringToObject(t, "type", "mrkdwn");
	cJSON_AddStringToObject(t, "text", mrkdwn);
	return sec;
}

static cJSON *
message_slack_plain(const char *s)
{
	cJSON	*t = cJSON_CreateObject();

	cJSON_AddStringToObject(t, "type", "plain_text");
	cJSON_AddStringToObject(t, "text", s);
	return t;
}

void
message_render_slack(const struct message *m, cJSON *body)
{
	cJSON		*blocks = cJSON_CreateArray(), *sec, *fields, *f;
	cJSON		*actions, *els, *btn;
	struct buf	 b;
	const char	*p;
	size_t		 i, n, nblocks = 0;
	char		*fallback = message_render_text(m), *label;

	/*
	 * The notification text: what phones and search show. Slack reads
	 * it as mrkdwn too, so only the mention may page anyone.
	 */
	buf_init(&b);
	if (m->mention != NULL) {
		struct message	 rest = *m;

		message_slack_mention(&b, m->mention);
		buf_adds(&b, "\n");
		rest.mention = NULL;
		free(fallback);
		fallback = message_render_text(&rest);
	}
	escape_slack_mrkdwn(&b, fallback, strlen(fallback));
	message_clip(&b, 0, MESSAGE_SLACK_TEXT);
	cJSON_AddStringToObject(body, "text", b.data);
	free(fallback);
	buf_clear(&b);
	if (m->mention != NULL) {
		message_slack_mention(&b, m->mention);
		buf_adds(&b, m->title != NULL || m->text != NULL ? "\n" : "");
		if (m->title == NULL && m->text == NULL) {
			message_clip(&b, 0, MESSAGE_SLACK_SECTION_MAX);
			cJSON_AddItemToArray(blocks,
			    message_slack_section(b.data));
			nblocks++;
			buf_clear(&b);
		}
	}
	if (m->title != NULL) {
		if (m->status == MESSAGE_CRIT)
			buf_adds(&b, ":red_circle: ");
		else if (m->status == MESSAGE_WARN)
			buf_adds(&b, ":large_yellow_circle: ");
		else if (m->status == MESSAGE_OK)
			buf_adds(&b, ":large_green_circle: ");
		buf_adds(&b, "*");
		n = b.len;
		escape_slack_mrkdwn(&b, m->title, strlen(m->title));
		/* The title stays short enough to keep its bold and text. */
		message_clip(&b, n, MESSAGE_SLACK_SECTION_MAX / 3);
		buf_adds(&b, "*");
		if (m->text != NULL) {
			buf_adds(&b, "\n");
			escape_slack_mrkdwn(&b, m->text, strlen(m->text));
		}
		message_clip(&b, 0, MESSAGE_SLACK_SECTION_MAX);
		cJSON_AddItemToArray(blocks, message_slack_section(b.data));
		nblocks++;
	} else if (m->text != NULL) {
		escape_slack_mrkdwn(&b, m->text, strlen(m->text));
		message_clip(&b, 0, MESSAGE_SLACK_SECTION_MAX);
		cJSON_AddItemToArray(blocks, message_slack_section(b.data));
		nblocks++;
	}
	if (m->nfields > 0) {
		sec = cJSON_CreateObject();
		cJSON_AddStringToObject(sec, "type", "section");
		fields = cJSON_AddArrayToObject(sec, "fields");
		for (i = 0; i < m->nfields; i++) {
			buf_clear(&b);
			buf_adds(&b, "*");
			escape_slack_mrkdwn(&b, m->fields[i].title,
			    strlen(m->fields[i].title));
			message_clip(&b, 0, MESSAGE_SLACK_FIELD / 4);
			buf_adds(&b, "*\n");
			escape_slack_mrkdwn(&b, m->fields[i].value,
			    strlen(m->fields[i].value));
			message_clip(&b, 0, MESSAGE_SLACK_FIELD);
			f = cJSON_CreateObject();
			cJSON_AddStringToObject(f, "type", "mrkdwn");
			cJSON_AddStringToObject(f, "text", b.data);
			cJSON_AddItemToArray(fields, f);
		}
		cJSON_AddItemToArray(blocks, sec);
		nblocks++;
	}
	/* The code block, split at line ends into sections that fit. */
	for (p = m->code; p != NULL && *p != '\0' &&
	    nblocks < MESSAGE_SLACK_BLOCKS; nblocks++) {
		/* Measured escaped: "<" takes 4 of the section's bytes. */
		n = escape_slack_mrkdwn_fit(p, strlen(p), MESSAGE_SLACK_SECTION);
		if (n == 0)
			break;
		buf_clear(&b);
		buf_adds(&b, "```\n");
		escape_slack_mrkdwn(&b, p, n);
		while (b.len > 4 && b.data[b.len - 1] == '\n')
			b.data[--b.len] = '\0';
		buf_adds(&b, "\n```");
		cJSON_AddItemToArray(blocks, message_slack_section(b.data));
		p += n;
	}
	if (m->nbuttons > 0) {
		actions = cJSON_CreateObject();
		cJSON_AddStringToObject(actions, "type", "actions");
		els = cJSON_AddArrayToObject(actions, "elements");
		for (i = 0; i < m->nbuttons; i++) {
			if (!message_button_fits(&m->buttons[i]))
				continue;
			btn = cJSON_CreateObject();
			cJSON_AddStringToObject(btn, "type", "button");
			cJSON_AddStringToObject(btn, "action_id",
			    m->buttons[i].action);
			if (m->buttons[i].url != NULL)
				cJSON_AddStringToObject(btn, "url",
				    m->buttons[i].url);
			else
				cJSON_AddStringToObject(btn, "value",
				    m->buttons[i].value);
			label = message_clipped(m->buttons[i].label,
			    MESSAGE_BUTTON_LABEL);
			cJSON_AddItemToObject(btn, "text",
			    message_slack_plain(label));
			free(label);
			if (m->buttons[i].danger)
				cJSON_AddStringToObject(btn, "style", "danger");
			cJSON_AddItemToArray(els, btn);
		}
		cJSON_AddItemToArray(blocks, actions);
	}
	buf_release(&b);
	cJSON_AddItemToObject(body, "blocks", blocks);
}

/*
 * Mattermost has no link buttons: "[Runbook](url) · [Source](url)" under
 * the text. Characters that would end the link early are percent-encoded.
 */
static void
message_mattermost_links(const struct message *m, struct buf *b)
{
	const char	*u;
	size_t		 i;
	int		 n = 0;

	for (i = 0; i < m->nbuttons; i++) {
		if ((u = m->buttons[i].url) == NULL ||
		    !message_button_fits(&m->buttons[i]))
			continue;
		if (n++ == 0 && b->len > 0 && b->data[b->len - 1] != '\n')
			buf_addc(b, '\n');
		buf_addf(b, "%s[%s](", n > 1 ? " · " : "", m->buttons[i].label);
		escape_markdown_url(b, u);
		buf_addc(b, ')');
	}
}

/* Whether a button before i already has the Mattermost id id. */
static int
message_mm_id_taken(const struct message *m, size_t i, const char *id)
{
	char	 prev[MESSAGE_MM_ID_MAX];
	size_t	 j;

	for (j = 0; j < i; j++) {
		message_mm_action_id(m, j, prev, sizeof prev);
		if (strcmp(prev, id) == 0)
			return 1;
	}
	return 0;
}

/*
 * Button i's Mattermost id. The server routes a click through
 * POST /api/v4/posts/{post_id}/actions/{action_id:[A-Za-z0-9]+} and finds
 * the button by that id, first match: an id with "_" or "-" never reaches
 * us, and two equal ids run the first button. So keep only the letters
 * and digits ("button" when none is left), and add a number while an
 * earlier button has the same id.
 */
void
message_mm_action_id(const struct message *m, size_t i, char *out,
    size_t len)
{
	const char	*s = m->buttons[i].action != NULL ?
			    m->buttons[i].action : "";
	size_t		 n = 0, k;

	if (len < 16) {
		if (len > 0)
			out[0] = '\0';
		return;
	}
	for (; *s != '\0' && n + 12 < len; s++) {
		if (isalnum((unsigned char)*s) && (unsigned char)*s < 0x80)
			out[n++] = *s;
	}
	if (n == 0) {
		memcpy(out, "button", 6);
		n = 6;
	}
	out[n] = '\0';
	for (k = i; message_mm_id_taken(m, i, out); k++)
		snprintf(out + n, len - n, "%zu", k);
}

void
message_render_mattermost(const struct message *m, cJSON *body, int response,
    const struct message_mm_actions *act)
{
	cJSON		*att, *atts, *fields, *f, *actions, *a, *integ, *ctx;
	struct buf	 b;
	const char	*color = message_color(m->status);
	size_t		 i;
	char		*fallback = message_render_text(m), *label;
	char		 id[MESSAGE_MM_ID_MAX];

	buf_init(&b);
	/* The mention, live, first in the message: it notifies from there. */
	if (m->mention != NULL)
		buf_addf(&b, "%s%s", m->mention, m->title != NULL ? " " : "");
	if (m->title != NULL) {
		buf_adds(&b, "**");
		i = b.len;
		escape_mattermost_text(&b, m->title);
		message_clip(&b, i, MESSAGE_MM_MESSAGE / 4);
		buf_adds(&b, "**");
	}
	message_clip(&b, 0, MESSAGE_MM_MESSAGE);
	cJSON_AddStringToObject(body, response ? "text" : "message", b.data);
	att = cJSON_CreateObject();
	buf_clear(&b);
	buf_adds(&b, fallback);
	message_clip(&b, 0, MESSAGE_MM_FALLBACK);
	cJSON_AddStringToObject(att, "fallback", b.data);
	free(fallback);
	if (color != NULL)
		cJSON_AddStringToObject(att, "color", color);
	buf_clear(&b);
	if (m->text != NULL) {
		/* An attachment's text notifies as a message does. */
		escape_mattermost_text(&b, m->text);
		message_clip(&b, 0, MESSAGE_MM_TEXT);
		buf_adds(&b, "\n");
	}
	if (m->code != NULL) {
		buf_adds(&b, "```\n");
		i = b.len;
		buf_adds(&b, m->code);
		message_clip(&b, i, MESSAGE_MM_CODE);
		while (b.len > 0 && b.data[b.len - 1] == '\n')
			b.data[--b.len] = '\0';
		buf_adds(&b, "\n```");
	}
	message_mattermost_links(m, &b);
	cJSON_AddStringToObject(att, "text", b.data);
	if (m->nfields > 0) {
		fields = cJSON_AddArrayToObject(att, "fields");
		for (i = 0; i < m->nfields; i++) {
			f = cJSON_CreateObject();
			label = message_clipped(m->fields[i].title,
			    MESSAGE_MM_FIELD / 4);
			cJSON_AddStringToObject(f, "title", label);
			free(label);
			label = message_clipped(m->fields[i].value,
			    MESSAGE_MM_FIELD);
			cJSON_AddStringToObject(f, "value", label);
			free(label);
			cJSON_AddBoolToObject(f, "short", 1);
			cJSON_AddItemToArray(fields, f);
		}
	}
	if (m->nbuttons > 0 && act != NULL && act->url != NULL) {
		actions = cJSON_AddArrayToObject(att, "actions");
		for (i = 0; i < m->nbuttons; i++) {
			if (m->buttons[i].url != NULL ||
			    !message_button_fits(&m->buttons[i]))
				continue;	/* a link, or too long */
			a = cJSON_CreateObject();
			message_mm_action_id(m, i, id, sizeof id);
			cJSON_AddStringToObject(a, "id", id);
			label = message_clipped(m->buttons[i].label,
			    MESSAGE_BUTTON_LABEL);
			cJSON_AddStringToObject(a, "name", label);
			free(label);
			cJSON_AddStringToObject(a, "type", "button");
			if (m->buttons[i].danger)
				cJSON_AddStringToObject(a, "style", "danger");
			integ = cJSON_AddObjectToObject(a, "integration");
			cJSON_AddStringToObject(integ, "url", act->url);
			/* Echoed back as sent; the token proves it is ours. */
			ctx = cJSON_AddObjectToObject(integ, "context");
			cJSON_AddStringToObject(ctx, "command",
			    m->buttons[i].value);
			cJSON_AddStringToObject(ctx, "token", act->token != NULL ?
			    act->token : "");
			cJSON_AddItemToArray(actions, a);
		}
	}
	buf_release(&b);
	if (response)
		atts = cJSON_AddArrayToObject(body, "attachments");
	else
		atts = cJSON_AddArrayToObject(cJSON_AddObjectToObject(body,
		    "props"), "attachments");
	cJSON_AddItemToArray(atts, att);
}
