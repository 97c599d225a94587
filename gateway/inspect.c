/* inspect.c - `plaint rules test`: verdicts with their reasons, replay.
 *
 * Owns nothing past a call.  Must never change the database: replay
 * only reads raw_messages and routing.  Text from messages is printed
 * only through the JSON escaper or gw_log_clean(), so a message cannot
 * forge lines of the report. */
#include "gw-inspect.h"

#include <string.h>

#include "gw-ack.h"
#include "gw-decide.h"
#include "gw-json.h"
#include "gw-log.h"
#include "gw-mail.h"
#include "gw-store.h"

#define MAX_FILE_BYTES (64 * 1024 * 1024)
#define REPLAY_BATCH 200

static void
json_array(GString *s, char *const *v, guint n)
{
	g_string_append_c(s, '[');
	for (guint i = 0; i < n; i++) {
		if (i > 0)
			g_string_append_c(s, ',');
		gw_json_quote(s, v[i]);
	}
	g_string_append_c(s, ']');
}

static const char *
mailbox_queue(const GwInspect *in, const char *mailbox)
{
	const GwMailboxConfig *mbox = NULL;

	if (in->config != NULL && mailbox != NULL)
		mbox = gw_config_mailbox(in->config, mailbox);
	return mbox ? mbox->queue : "general";
}

/* The daemon's decision on mail from mailbox (see gw-decide.h). */
static void
decide(const GwInspect *in, const GwMail *mail, const char *mailbox,
       gboolean trace, GwDecision *d)
{
	GwDecideInput di = {
		in->rules, mailbox ? mailbox : "", mailbox_queue(in, mailbox),
		in->config ? in->config->unlinked_bounce_queue : "bounces",
		in->config ? in->config->smtp_from_addr : NULL,
		in->config ? in->config->trusted_authserv_id : NULL,
		in->config ? (const char *const *)in->config->skip_when : NULL,
	};

	gw_decide(&di, mail, trace, d);
}

static const char *const bounce_words[] = {
	[GW_BOUNCE_NONE] = NULL,
	[GW_BOUNCE_REPORT] = "a report: joins the ticket of the plaint mail it "
			     "names, else a ticket of its own",
	[GW_BOUNCE_CANDIDATE] = "null sender naming a message: a bounce if that "
				"is plaint's mail, else filed as usual",
};

static void
print_json(const GwInspect *in, const char *file, const GwDecision *d)
{
	g_autoptr(GString) s = g_string_new("{\"file\":");
	const GwVerdict *v = &d->verdict;
	const char *refusal = gw_ack_reason_name(d->ack);

	gw_json_quote(s, file);
	g_string_append(s, ",\"queue\":");
	gw_json_quote(s, d->queue);
	g_string_append(s, ",\"priority\":");
	gw_json_quote(s, v->priority ? v->priority : "normal");
	g_string_append(s, ",\"tags\":");
	json_array(s, (char **)v->tags->pdata, v->tags->len);
	g_string_append_printf(s, ",\"ack\":%s,\"ack_suppressed\":",
			       refusal ? "false" : "true");
	gw_json_quote(s, refusal);
	g_string_append(s, ",\"bounce\":");
	gw_json_quote(s, d->bounce == GW_BOUNCE_REPORT ? "report"
		       : d->bounce == GW_BOUNCE_CANDIDATE ? "candidate" : NULL);
	g_string_append_printf(s, ",\"drop\":%s,\"dropped_by\":",
			       v->drop ? "true" : "false");
	gw_json_quote(s, v->drop_rule);
	g_string_append(s, ",\"assignee\":");
	gw_json_quote(s, v->assignee);
	g_string_append(s, ",\"template\":");
	gw_json_quote(s, v->template);
	g_string_append(s, ",\"matched\":");
	json_array(s, (char **)v->matched->pdata, v->matched->len);
	g_string_append(s, ",\"limit_hits\":");
	json_array(s, (char **)v->limit_hits->pdata, v->limit_hits->len);
	g_string_append(s, ",\"trace\":[");
	for (guint i = 0; i < v->trace->len; i++) {
		const GwTraceItem *t = v->trace->pdata[i];

		g_string_append(s, i ? ",{\"rule\":" : "{\"rule\":");
		gw_json_quote(s, t->rule);
		g_string_append(s, ",\"field\":");
		gw_json_quote(s, t->field);
		g_string_append(s, ",\"text\":");
		gw_json_quote(s, t->text);
		g_string_append_c(s, '}');
	}
	g_string_append(s, "]}");
	fprintf(in->out, "%s\n", s->str);
}

static char *
joined(GPtrArray *a)
{
	if (a->len == 0)
		return g_strdup("-");
	g_ptr_array_add(a, NULL);
	{
		char *s = g_strjoinv(", ", (char **)a->pdata);

		g_ptr_array_remove_index(a, a->len - 1);
		return s;
	}
}

static void
print_text(const GwInspect *in, const char *file, const GwMail *mail,
	   const GwDecision *d)
{
	const GwVerdict *v = &d->verdict;
	g_autofree char *tags = joined(v->tags), *matched = joined(v->matched);
	g_autofree char *subject = gw_log_clean(gw_mail_subject(mail), 100);
	const char *refusal = gw_ack_reason_name(d->ack);

	fprintf(in->out, "%s: \"%s\"\n", file, subject);
	fprintf(in->out, "  queue     %s\n", d->queue);
	fprintf(in->out, "  priority  %s\n", v->priority ? v->priority : "normal");
	fprintf(in->out, "  tags      %s\n", tags);
	if (v->assignee != NULL)
		fprintf(in->out, "  assign    %s\n", v->assignee);
	if (v->template != NULL)
		fprintf(in->out, "  template  %s\n", v->template);
	fprintf(in->out, "  ack       %s%s\n", refusal ? "no: " : "yes",
		refusal ? refusal : "");
	if (d->bounce != GW_BOUNCE_NONE)
		fprintf(in->out, "  bounce    %s\n", bounce_words[d->bounce]);
	fprintf(in->out, "  drop      %s%s%s\n", v->drop ? "yes, by " : "no",
		v->drop ? v->drop_rule : "", v->drop ? " (stored, no ticket)" : "");
	fprintf(in->out, "  matched   %s\n", matched);
	for (guint i = 0; i < v->trace->len; i++) {
		const GwTraceItem *t = v->trace->pdata[i];
		g_autofree char *text = gw_log_clean(t->text, 80);

		fprintf(in->out, "    %s: %s matched \"%s\"\n", t->rule, t->field, text);
	}
	for (guint i = 0; i < v->limit_hits->len; i++)
		fprintf(in->out, "    %s: a pattern hit its match limit (no match)\n",
			(char *)v->limit_hits->pdata[i]);
}

static void
print_error(const GwInspect *in, const char *file, const char *message)
{
	if (in->json) {
		g_autoptr(GString) s = g_string_new("{\"file\":");

		gw_json_quote(s, file);
		g_string_append(s, ",\"error\":");
		gw_json_quote(s, message);
		g_string_append_c(s, '}');
		fprintf(in->out, "%s\n", s->str);
	} else {
		fprintf(in->out, "%s: error: %s\n", file, message);
	}
}

guint
gw_inspect_files(const GwInspect *in, char **files)
{
	guint failed = 0;

	for (guint i = 0; files[i] != NULL; i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(GBytes) raw = gw_config_read_file(files[i], MAX_FILE_BYTES, &err);
		g_autoptr(GwMail) mail = raw ? gw_mail_parse(raw, in->limits, &err) : NULL;
		GwDecision d;

		if (mail == NULL) {
			print_error(in, files[i], err->message);
			failed++;
			continue;
		}
		decide(in, mail, in->mailbox, TRUE, &d);
		if (in->json)
			print_json(in, files[i], &d);
		else
			print_text(in, files[i], mail, &d);
		gw_decision_clear(&d);
	}
	return failed;
}

/* ---- replay ------------------------------------------------------- */

static gboolean
same_text(const char *a, const char *b)
{
	return g_strcmp0(a ? a : "", b ? b : "") == 0;
}

static char *
strv_text(char *const *v, guint n)
{
	g_autoptr(GString) s = g_string_new("{");

	for (guint i = 0; i < n; i++)
		g_string_append_printf(s, "%s%s", i ? "," : "", v[i]);
	g_string_append_c(s, '}');
	return g_strdup(s->str);
}

static void
compare(GString *changes, const char *what, const char *old, const char *new)
{
	if (same_text(old, new))
		return;
	g_string_append_printf(changes, "%s%s: %s -> %s", changes->len ? "; " : "",
			       what, old && *old ? old : "-", new && *new ? new : "-");
}

/* "queue: general -> billing; tags: {} -> {refund}", or "" if the
 * routing stays (which rules lead to it may differ). */
static char *
changes_of(const GwRouted *old, const GwDecision *d)
{
	const GwVerdict *v = &d->verdict;
	GString *c = g_string_new(NULL);
	g_autofree char *old_tags = strv_text(old->tags, old->tags ? g_strv_length(old->tags) : 0);
	g_autofree char *new_tags = strv_text((char **)v->tags->pdata, v->tags->len);

	compare(c, "queue", old->queue, d->queue);
	compare(c, "priority", old->priority, v->priority);
	compare(c, "tags", old_tags, new_tags);
	compare(c, "assign", old->assignee, v->assignee);
	compare(c, "template", old->template, v->template);
	compare(c, "no-ack", old->no_ack ? "yes" : "no", v->no_ack ? "yes" : "no");
	compare(c, "drop", old->dropped ? "yes" : "no", v->drop ? "yes" : "no");
	return g_string_free(c, FALSE);
}

static void
report_change(const GwInspect *in, const GwRouted *old, const GwVerdict *v,
	      const char *changes)
{
	g_autofree char *subject = gw_log_clean(old->subject, 60);
	g_autofree char *old_m = strv_text(old->matched, old->matched ? g_strv_length(old->matched) : 0);
	g_autofree char *new_m = strv_text((char **)v->matched->pdata, v->matched->len);

	if (in->json) {
		g_autoptr(GString) s = g_string_new(NULL);

		g_string_append_printf(s, "{\"raw_id\":%" G_GINT64_FORMAT ",\"mailbox\":",
				       old->raw.id);
		gw_json_quote(s, old->raw.mailbox);
		g_string_append(s, ",\"subject\":");
		gw_json_quote(s, old->subject);
		g_string_append(s, ",\"recorded_rules\":");
		gw_json_quote(s, old->rules_version);
		g_string_append(s, ",\"changes\":");
		gw_json_quote(s, changes);
		g_string_append(s, ",\"matched_before\":");
		json_array(s, old->matched, old->matched ? g_strv_length(old->matched) : 0);
		g_string_append(s, ",\"matched_now\":");
		json_array(s, (char **)v->matched->pdata, v->matched->len);
		g_string_append_c(s, '}');
		fprintf(in->out, "%s\n", s->str);
	} else {
		fprintf(in->out, "raw=%" G_GINT64_FORMAT " mailbox=%s \"%s\": %s "
			"(rules %s -> %s)\n", old->raw.id, old->raw.mailbox, subject,
			changes, old_m, new_m);
	}
}

gboolean
gw_inspect_replay(const GwInspect *in, GwDb *db, const char *since,
		  guint *changed_out, GError **error)
{
	gint64 after = 0;
	guint total = 0, changed = 0, unparsed = 0;

	for (;;) {
		g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(
			(GDestroyNotify)gw_routed_free);

		if (!gw_store_routed_batch(db, since, after, REPLAY_BATCH, rows, error))
			return FALSE;
		for (guint i = 0; i < rows->len; i++) {
			const GwRouted *old = rows->pdata[i];
			g_autoptr(GwMail) mail = gw_mail_parse(old->raw.bytes, in->limits, NULL);
			g_autofree char *changes = NULL;
			GwDecision d;

			after = old->raw.id;
			total++;
			if (mail == NULL) {
				unparsed++;
				continue;
			}
			decide(in, mail, old->raw.mailbox, FALSE, &d);
			changes = changes_of(old, &d);
			if (*changes != '\0') {
				changed++;
				report_change(in, old, &d.verdict, changes);
			}
			gw_decision_clear(&d);
		}
		if (rows->len < REPLAY_BATCH)
			break;
	}
	if (in->json)
		fprintf(in->out, "{\"summary\":{\"messages\":%u,\"changed\":%u,"
			"\"unchanged\":%u,\"unparsed\":%u,\"rules\":\"%s\"}}\n",
			total, changed, total - changed - unparsed, unparsed,
			gw_rules_version(in->rules));
	else
		fprintf(in->out, "replayed %u stored message%s with rules %s: "
			"%u would change, %u unchanged, %u could not be parsed\n",
			total, total == 1 ? "" : "s", gw_rules_version(in->rules),
			changed, total - changed - unparsed, unparsed);
	*changed_out = changed;
	return TRUE;
}

/* ---- plaint parse -------------------------------------------------- */

static void
json_address(GString *s, const GwMailAddress *a)
{
	g_string_append(s, "{\"name\":");
	gw_json_quote(s, a->name);
	g_string_append(s, ",\"address\":");
	gw_json_quote(s, a->address);
	g_string_append_c(s, '}');
}

static void
json_addresses(GString *s, const GwMail *mail, const char *which, gboolean one)
{
	GPtrArray *list = gw_mail_addresses(mail, which);

	if (one) {
		if (list->len == 0)
			g_string_append(s, "null");
		else
			json_address(s, list->pdata[0]);
		return;
	}
	g_string_append_c(s, '[');
	for (guint i = 0; i < list->len; i++) {
		if (i > 0)
			g_string_append_c(s, ',');
		json_address(s, list->pdata[i]);
	}
	g_string_append_c(s, ']');
}

static void
json_strv(GString *s, const char *const *v)
{
	json_array(s, (char *const *)v, v ? g_strv_length((char **)v) : 0);
}

static void
json_part(GString *s, const GwMail *mail, GwMailPart *p, gboolean short_form)
{
	gw_mail_part_digest(mail, p);
	g_string_append(s, short_form ? "{\"name\":" : "{\"path\":");
	gw_json_quote(s, short_form ? p->filename : p->path);
	g_string_append(s, ",\"type\":");
	gw_json_quote(s, p->content_type);
	g_string_append_printf(s, ",\"size\":%" G_GSIZE_FORMAT ",\"sha256\":", p->size);
	gw_json_quote(s, p->sha256);
	g_string_append(s, ",\"content_id\":");
	gw_json_quote(s, p->content_id);
	if (short_form) {
		g_string_append(s, ",\"part\":");
		gw_json_quote(s, p->path);
	} else {
		g_string_append(s, ",\"filename\":");
		gw_json_quote(s, p->filename);
		g_string_append(s, ",\"disposition\":");
		gw_json_quote(s, p->disposition);
		g_string_append_printf(s, ",\"container\":%s,\"attachment\":%s,\"body\":%s",
				       p->container ? "true" : "false",
				       p->attachment ? "true" : "false",
				       p->body ? "true" : "false");
	}
	g_string_append_c(s, '}');
}

static void
json_parts(GString *s, const GwMail *mail, gboolean attachments_only)
{
	GPtrArray *parts = gw_mail_parts(mail);
	gboolean first = TRUE;

	g_string_append_c(s, '[');
	for (guint i = 0; i < parts->len; i++) {
		GwMailPart *p = parts->pdata[i];

		if (attachments_only && !p->attachment)
			continue;
		if (!first)
			g_string_append_c(s, ',');
		first = FALSE;
		json_part(s, mail, p, attachments_only);
	}
	g_string_append_c(s, ']');
}

static void
json_field(GString *s, const char *key, const char *value)
{
	g_string_append_printf(s, ",\"%s\":", key);
	gw_json_quote(s, value);
}

static void
print_parsed(const GwInspect *in, const char *file, int index, const GwMail *mail)
{
	g_autoptr(GString) s = g_string_new("{\"file\":");
	const char *refusal = gw_ack_reason_name(gw_ack_guard(
		mail, in->config ? in->config->smtp_from_addr : NULL));
	GwBounce bounce = gw_ack_bounce_kind(mail);

	gw_json_quote(s, file);
	if (index >= 0)
		g_string_append_printf(s, ",\"index\":%d", index);
	g_string_append_printf(s, ",\"size\":%" G_GSIZE_FORMAT, gw_mail_size(mail));
	json_field(s, "subject", gw_mail_subject(mail));
	g_string_append(s, ",\"from\":");
	json_addresses(s, mail, "from", TRUE);
	g_string_append(s, ",\"sender\":");
	json_addresses(s, mail, "sender", TRUE);
	g_string_append(s, ",\"to\":");
	json_addresses(s, mail, "to", FALSE);
	g_string_append(s, ",\"cc\":");
	json_addresses(s, mail, "cc", FALSE);
	g_string_append(s, ",\"reply_to\":");
	json_addresses(s, mail, "reply-to", FALSE);
	g_string_append(s, ",\"return_path\":");
	json_addresses(s, mail, "return-path", TRUE);
	json_field(s, "date", gw_mail_date(mail));
	json_field(s, "message_id", gw_mail_message_id(mail));
	json_field(s, "fingerprint", gw_mail_fingerprint(mail));
	json_field(s, "in_reply_to", gw_mail_in_reply_to(mail));
	g_string_append(s, ",\"references\":");
	json_strv(s, gw_mail_references(mail));
	json_field(s, "content_type", gw_mail_content_type(mail));
	json_field(s, "text", gw_mail_text(mail));
	g_string_append(s, ",\"attachments\":");
	json_parts(s, mail, TRUE);
	g_string_append(s, ",\"parts\":");
	json_parts(s, mail, FALSE);
	g_string_append(s, ",\"original_ids\":");
	json_strv(s, gw_mail_original_ids(mail));
	g_string_append_printf(s, ",\"loop_guard\":{\"ack\":%s,\"reason\":",
			       refusal ? "false" : "true");
	gw_json_quote(s, refusal);
	g_string_append(s, ",\"bounce\":");
	gw_json_quote(s, bounce == GW_BOUNCE_REPORT ? "report"
		       : bounce == GW_BOUNCE_CANDIDATE ? "candidate" : NULL);
	g_string_append_c(s, '}');
	g_string_append(s, ",\"limits\":");
	json_strv(s, gw_mail_limits_hit(mail));
	g_string_append(s, ",\"defects\":");
	json_strv(s, gw_mail_defects(mail));
	g_string_append_c(s, '}');
	fprintf(in->out, "%s\n", s->str);
}

static gboolean
parse_one(const GwInspect *in, const char *file, int index, GBytes *raw)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GwMail) mail = gw_mail_parse(raw, in->limits, &err);

	if (mail == NULL) {
		g_autoptr(GString) s = g_string_new("{\"file\":");

		gw_json_quote(s, file);
		if (index >= 0)
			g_string_append_printf(s, ",\"index\":%d", index);
		json_field(s, "error", err->message);
		g_string_append_c(s, '}');
		fprintf(in->out, "%s\n", s->str);
		return FALSE;
	}
	print_parsed(in, file, index, mail);
	return TRUE;
}

guint
gw_inspect_parse(const GwInspect *in, char **files, gboolean mbox)
{
	guint failed = 0;

	for (guint i = 0; files[i] != NULL; i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(GBytes) raw = gw_config_read_file(files[i], MAX_FILE_BYTES, &err);
		g_autoptr(GPtrArray) messages = NULL;

		if (raw == NULL) {
			print_error(in, files[i], err->message);
			failed++;
			continue;
		}
		if (!mbox) {
			failed += !parse_one(in, files[i], -1, raw);
			continue;
		}
		messages = gw_mail_split_mbox(raw, 100000);
		for (guint m = 0; m < messages->len; m++)
			failed += !parse_one(in, files[i], (int)m, messages->pdata[m]);
	}
	return failed;
}
