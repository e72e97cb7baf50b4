# Builds libFuzzer targets with clang: make -f tests/fuzz/fuzz.mk FUZZDIR=dir dir/fuzz_x
# Every target links all library sources (except the CLI) so a new target
# needs no change here.
CC_FUZZ ?= clang
FUZZDIR ?= _build/fuzz
PKGS = libpq rdkafka avro-c libcurl jansson libmicrohttpd libcrypto
FUZZ_CFLAGS = -std=gnu11 -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Isrc $(shell pkg-config --cflags $(PKGS))
FUZZ_LIBS = $(shell pkg-config --libs $(PKGS)) -lm
LIB_SRCS = $(filter-out src/cli/main.c src/kafka/devbroker%.c,$(wildcard src/*.c src/*/*.c))

$(FUZZDIR)/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRCS) $(wildcard src/*.h src/*/*.h)
	@mkdir -p $(FUZZDIR)
	$(CC_FUZZ) $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS) $(FUZZ_LIBS)
