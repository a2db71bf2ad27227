/* The one place that writes a `cause` (cause.h has the contract). */

#include <stdarg.h>
#include <stdlib.h>

#include "cause.h"
#include "xmalloc.h"

void
cause_set(char **cause, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	(void)xvasprintf(&msg, fmt, ap);
	va_end(ap);
	*cause = msg;
}

void
cause_take(char **cause, char *msg)
{
	if (cause == NULL)
		free(msg);
	else
		*cause = msg;
}

void
cause_clear(char **cause)
{
	if (cause != NULL)
		*cause = NULL;
}
