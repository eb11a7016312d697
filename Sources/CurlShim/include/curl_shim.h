#ifndef ORACLED_CURL_SHIM_H
#define ORACLED_CURL_SHIM_H
// curl_easy_setopt and curl_multi_setopt are variadic, which Swift cannot call:
// these typed wrappers are the only reason this target exists.
#include <curl/curl.h>

CURLcode shim_easy_setopt_long(CURL *h, CURLoption opt, long v);
CURLcode shim_easy_setopt_string(CURL *h, CURLoption opt, const char *v);
CURLcode shim_easy_setopt_pointer(CURL *h, CURLoption opt, void *v);
CURLcode shim_easy_setopt_off_t(CURL *h, CURLoption opt, curl_off_t v);
CURLcode shim_easy_setopt_write_callback(CURL *h, size_t (*cb)(char *, size_t, size_t, void *));
CURLcode shim_easy_setopt_header_callback(CURL *h, size_t (*cb)(char *, size_t, size_t, void *));
CURLcode shim_easy_getinfo_long(CURL *h, CURLINFO info, long *out);
CURLcode shim_easy_getinfo_double(CURL *h, CURLINFO info, double *out);
CURLcode shim_easy_getinfo_pointer(CURL *h, CURLINFO info, void **out);
CURLMcode shim_multi_setopt_long(CURLM *m, CURLMoption opt, long v);
#endif
