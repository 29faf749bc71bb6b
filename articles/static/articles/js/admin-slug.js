/*
 * The admin fills a slug from the headline with URLify (admin/js/urlify.js),
 * which turns "đ" into nothing and loses decomposed tone marks. This file
 * hands the job to the project's one Vietnamese rule (slug.js). It runs again
 * once the page is parsed, so it wins whatever order the scripts load in.
 */
(function () {
  "use strict";
  function useVietnameseRule() {
    window.URLify = function (text, maxLength) {
      return window.vietnameseSlug.slugify(text, maxLength);
    };
  }
  useVietnameseRule();
  document.addEventListener("DOMContentLoaded", useVietnameseRule);
})();
