/* fuzz-parse.c - libFuzzer target for gw_mail_parse (and the HTML and
 * mbox paths it reaches).  Built by `make fuzz` with clang and the
 * address and undefined sanitizers; seeded from mail the project
 * writes itself (tests/fuzz/run.sh). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gw-mail.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	gw_mail_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Small limits, so that the fuzzer reaches them too. */
	GwMailLimits limits = { 64 * 1024, 4096, 8192, 50, 8, 50, NULL };
	GBytes *raw = g_bytes_new_static(data, size);
	GwMail *mail = gw_mail_parse(raw, &limits, NULL);

	if (mail != NULL) {
		GPtrArray *parts = gw_mail_parts(mail);

		/* Decode every part: the path attachments take to storage. */
		for (guint i = 0; i < parts->len; i++) {
			GBytes *content = gw_mail_part_content(mail, parts->pdata[i]);

			if (content != NULL)
				g_bytes_unref(content);
		}
		g_assert(g_utf8_validate(gw_mail_text(mail), -1, NULL));
		g_assert(g_utf8_validate(gw_mail_subject(mail), -1, NULL));
		gw_mail_free(mail);
	}
	if (size > 5 && memcmp(data, "From ", 5) == 0)
		g_ptr_array_unref(gw_mail_split_mbox(raw, 100));
	g_bytes_unref(raw);
	return 0;
}
