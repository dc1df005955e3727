// The dashboard's only script (its pages allow scripts from this origin only, no inline code):
// the copy button of the re-authorization link page.
document.addEventListener('DOMContentLoaded', function () {
  var input = document.getElementById('reauth-link');
  var button = document.getElementById('copy');
  if (!input || !button) {
    return;
  }
  input.addEventListener('click', function () { input.select(); });
  button.addEventListener('click', function () {
    input.select();
    var copied = function () { button.textContent = 'Copied'; };
    var byHand = function () { button.textContent = 'Selected: press Ctrl+C'; };
    var fallback = function () {
      try {
        if (document.execCommand('copy')) { copied(); } else { byHand(); }
      } catch (e) {
        byHand();
      }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(copied, fallback);
    } else {
      fallback();
    }
  });
});
