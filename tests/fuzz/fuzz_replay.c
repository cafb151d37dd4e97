/*
 * Runs a fuzz target without libFuzzer, for `make check`: every file of its seed corpus
 * (tests/fuzz/corpus/FUZZ_NAME, or the files and directories named as arguments), each of
 * its prefixes and each one-bit change of it. The target aborts when a property breaks.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static unsigned long	fuzz_replay_runs;

static void
fuzz_replay_one(const uint8_t *data, size_t size)
{
	uint8_t	*copy;
	size_t	 i;
	int	 bit;

	/* Exact-size copies so that ASan sees any overread. */
	for (i = 0; i <= size; i++) {
		if ((copy = malloc(i == 0 ? 1 : i)) == NULL)
			abort();
		memcpy(copy, data, i);
		LLVMFuzzerTestOneInput(copy, i);
		fuzz_replay_runs++;
		free(copy);
	}
	if (size > 4096 || (copy = malloc(size == 0 ? 1 : size)) == NULL)
		return;
	for (i = 0; i < size; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(copy, data, size);
			copy[i] ^= (uint8_t)(1 << bit);
			LLVMFuzzerTestOneInput(copy, size);
			fuzz_replay_runs++;
		}
	}
	free(copy);
}

static int
fuzz_replay_file(const char *path)
{
	FILE	*f;
	uint8_t	*buf;
	long	 len;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "%s: cannot read\n", path);
		if (f != NULL)
			fclose(f);
		return (-1);
	}
	if ((buf = malloc(len == 0 ? 1 : (size_t)len)) == NULL)
		abort();
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "%s: short read\n", path);
		fclose(f);
		free(buf);
		return (-1);
	}
	fclose(f);
	fuzz_replay_one(buf, (size_t)len);
	free(buf);
	return (0);
}

static int
fuzz_replay_path(const char *path, int *files)
{
	struct stat	 sb;
	struct dirent	*de;
	DIR		*dir;
	char		 sub[4096];
	int		 error = 0;

	if (stat(path, &sb) != 0) {
		fprintf(stderr, "%s: not found\n", path);
		return (-1);
	}
	if (!S_ISDIR(sb.st_mode)) {
		(*files)++;
		return (fuzz_replay_file(path));
	}
	if ((dir = opendir(path)) == NULL)
		return (-1);
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
		if (fuzz_replay_path(sub, files) != 0)
			error = -1;
	}
	closedir(dir);
	return (error);
}

int
main(int argc, char **argv)
{
	const char	*top = getenv("top_srcdir");
	char		 dir[4096];
	int		 i, files = 0, error = 0;

	if (argc > 1) {
		for (i = 1; i < argc; i++) {
			if (fuzz_replay_path(argv[i], &files) != 0)
				error = -1;
		}
	} else {
		snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", top != NULL ? top : ".",
		    FUZZ_NAME);
		error = fuzz_replay_path(dir, &files);
	}
	printf("%s: %d files, %lu runs\n", FUZZ_NAME, files, fuzz_replay_runs);
	return (error == 0 && files > 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
