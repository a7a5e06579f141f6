/*
 * An empty ICU data library (ICU's own "stubdata", icu4c/source/stubdata/stubdata.cpp, in C) for the bundle.
 *
 * Debian's Tesseract links libarchive, which links libxml2, which links ICU (libicuuc + its 30 MB data
 * library) for character-set conversions of XML files. Tesseract reads no XML (libarchive uses libxml2 only
 * for the XAR archive format), so no ICU function is ever called by it; but the linker still wants the data
 * library at start-up. This stub stands in for it: an ICU data table of contents with no entries, so any
 * ICU call that needed data would get ICU's own "missing data" error, never a crash. Qt has its own ICU
 * (libicu*.so.73 under PySide6/Qt/lib) and is not touched.
 *
 * Built by installer/frontdesk.spec after PyInstaller collected the real library:
 *   cc -shared -fPIC -nostdlib -O2 -DICU_VERSION=72 -Wl,-soname,libicudata.so.72 -o libicudata.so.72 icudata_stub.c
 * (no header and no C library: only the compiler and the linker are needed, Debian's gcc and binutils).
 * The self-test's MRZ step (Tesseract on a synthetic passport page) proves the bundle still reads.
 */
#ifndef ICU_VERSION
#error "define ICU_VERSION (the major version, as in libicudata.so.72)"
#endif
#define PASTE3(a, b, c) a##b##c
#define EXPAND3(a, b, c) PASTE3(a, b, c)
#define ENTRY_POINT EXPAND3(icudt, ICU_VERSION, _dat)

typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;

typedef struct {
    uint16_t size;
    uint16_t reservedWord;
    uint8_t isBigEndian;
    uint8_t charsetFamily;
    uint8_t sizeofUChar;
    uint8_t reservedByte;
    uint8_t dataFormat[4];
    uint8_t formatVersion[4];
    uint8_t dataVersion[4];
} UDataInfo;

typedef struct {
    uint16_t headerSize;
    uint8_t magic1;
    uint8_t magic2;
    UDataInfo info;
    char padding[8];
    uint32_t count;
    uint32_t reserved;
    struct {
        const char *name;
        const void *data;
    } toc[1];
    int fakeNameAndData[4];
} ICU_Data_Header;

__attribute__((visibility("default"))) const ICU_Data_Header ENTRY_POINT = {
    32,   /* headerSize */
    0xda, /* magic1 */
    0x27, /* magic2 */
    {
        sizeof(UDataInfo),
        0,
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        1,
#else
        0,
#endif
        0,                        /* U_CHARSET_FAMILY: ASCII */
        2,                        /* sizeof(UChar) */
        0,
        {0x54, 0x6f, 0x43, 0x50}, /* "ToCP": a table of contents */
        {1, 0, 0, 0},
        {0, 0, 0, 0},
    },
    {0, 0, 0, 0, 0, 0, 0, 0},
    0, /* count: no entries */
    0,
    {{0, 0}},
    {0, 0, 0, 0},
};
