/* thread.c - the keys by which a message may join an existing ticket.
 *
 * Pure.  Trusts a ticket tag in the subject first (customers keep it
 * when they answer), then the ids the message answers: In-Reply-To,
 * then References from the newest back.  Never the bare subject. */
#include "gw-thread.h"

#include <string.h>

/* Finds "[PREFIX-123]" in subject, allowing spaces inside the brackets,
 * any case, and '#' or ' ' instead of '-'.  Returns "PREFIX-123". */
char *
gw_thread_subject_tag(const char *subject, const char *prefix)
{
	gsize plen = strlen(prefix);

	for (const char *p = strchr(subject, '['); p != NULL; p = strchr(p + 1, '[')) {
		const char *q = p + 1, *digits, *digits_end;

		while (*q == ' ')
			q++;
		if (g_ascii_strncasecmp(q, prefix, plen) != 0)
			continue;
		q += plen;
		while (*q == ' ')
			q++;
		if (*q == '-' || *q == '#')
			q++;
		while (*q == ' ')
			q++;
		digits = q;
		while (g_ascii_isdigit(*q))
			q++;
		if (q == digits || q - digits > 18)
			continue;
		digits_end = q;
		while (*q == ' ')
			q++;
		if (*q != ']')
			continue;
		{
			g_autofree char *up = g_ascii_strup(prefix, -1);
			g_autofree char *num = g_strndup(digits, digits_end - digits);

			return g_strdup_printf("%s-%s", up, num);
		}
	}
	return NULL;
}

static void
add_ref(GPtrArray *refs, const char *id)
{
	if (id == NULL || *id == '\0')
		return;
	if (g_ptr_array_find_with_equal_func(refs, id, g_str_equal, NULL))
		return;
	g_ptr_array_add(refs, g_strdup(id));
}

void
gw_thread_keys(const GwMail *mail, const char *prefix, GwThreadKeys *keys_out)
{
	const char *const *refs = gw_mail_references(mail);
	guint n = refs ? g_strv_length((char **)refs) : 0;

	keys_out->ticket_number = gw_thread_subject_tag(gw_mail_subject(mail), prefix);
	keys_out->refs = g_ptr_array_new_with_free_func(g_free);
	add_ref(keys_out->refs, gw_mail_in_reply_to(mail));
	for (guint i = n; i > 0; i--)
		add_ref(keys_out->refs, refs[i - 1]);
}

void
gw_thread_keys_clear(GwThreadKeys *keys)
{
	g_clear_pointer(&keys->ticket_number, g_free);
	g_clear_pointer(&keys->refs, g_ptr_array_unref);
}
