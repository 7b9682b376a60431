// The shop's own "Talk to us" link, through the README's snippet: calls made before the chat's
// loader has run wait in LiveChat.q and run when it starts. It also counts unread replies.
window.LiveChat = window.LiveChat || { q: [] };
['open', 'close', 'toggle', 'on', 'setLocale', 'identify', 'reset'].forEach(function (m) {
  LiveChat[m] = LiveChat[m] || function () { LiveChat.q.push([m, arguments]); };
});
var talk = document.getElementById('talk');
talk.addEventListener('click', function (e) {
  e.preventDefault();
  LiveChat.open();
});
LiveChat.on('unread', function (n) {
  talk.textContent = n ? 'Talk to us (' + n + ' new)' : 'Talk to us';
});
