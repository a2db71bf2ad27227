/*
 * The fallback of an answer whose response URL is gone (chat_fallback.h):
 * one home for the key both adapters keep in their queued bodies.
 */

#include <cjson/cJSON.h>
#include <stdlib.h>

#include "chat_fallback.h"
#include "xmalloc.h"

void
chat_fallback_add(cJSON *body, const struct chat_fallback_keys *k,
    const char *channel, const char *user, const char *thread)
{
	cJSON	*fb;

	if (channel == NULL)
		return;
	fb = cJSON_AddObjectToObject(body, CHAT_FALLBACK_KEY);
	cJSON_AddStringToObject(fb, k->channel, channel);
	if (user != NULL)
		cJSON_AddStringToObject(fb, k->user, user);
	if (thread != NULL && k->thread != NULL)
		cJSON_AddStringToObject(fb, k->thread, thread);
}

char *
chat_fallback_strip(const char *body)
{
	cJSON	*json = cJSON_Parse(body);
	char	*out;

	/* Not ours to rewrite: what is not JSON goes as it was queued. */
	if (json == NULL || !cJSON_HasObjectItem(json, CHAT_FALLBACK_KEY)) {
		cJSON_Delete(json);
		return xstrdup(body);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(json, CHAT_FALLBACK_KEY);
	out = cJSON_PrintUnformatted(json);
	cJSON_Delete(json);
	return out;
}

cJSON *
chat_fallback_take(const char *body, const struct chat_fallback_keys *k,
    cJSON **where)
{
	cJSON	*json = cJSON_Parse(body), *fb;

	*where = NULL;
	if (!cJSON_IsObject(json)) {
		cJSON_Delete(json);
		return NULL;
	}
	fb = cJSON_DetachItemFromObjectCaseSensitive(json, CHAT_FALLBACK_KEY);
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(fb,
	    k->channel))) {
		cJSON_Delete(fb);
		cJSON_Delete(json);
		return NULL;
	}
	*where = fb;
	return json;
}
