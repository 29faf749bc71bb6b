/*
 * The admin's twin of articles/text.py: the slug a Vietnamese headline gets.
 * Django's own URLify drops "đ" and decomposed tone marks, so the admin's
 * prepopulated slug field uses this instead (see articles/admin.py).
 */
(function (root) {
  "use strict";

  function fold(text) {
    return text
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase();
  }

  function slugify(text, maxLength) {
    maxLength = maxLength || 200;
    var slug = fold(text).replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    if (slug.length > maxLength) {
      // Keep whole words: look one character past the limit for a hyphen.
      var head = slug.slice(0, maxLength + 1);
      var cut = head.lastIndexOf("-");
      slug = cut >= 0 ? head.slice(0, cut) : slug.slice(0, maxLength);
    }
    return slug;
  }

  root.vietnameseSlug = { fold: fold, slugify: slugify };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = root.vietnameseSlug;
  }
})(typeof window !== "undefined" ? window : globalThis);
