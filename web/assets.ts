/** The app's one stylesheet and one script, inlined with the page's CSP nonce (no other origin). */

export const CSS = `
:root{--bg:#f5f6f8;--panel:#fff;--ink:#1f2430;--muted:#5b6474;--line:#dfe3ea;--accent:#1c4fd6;
--accent-ink:#fff;--ok:#17794a;--ok-bg:#e3f4ea;--bad:#b4232c;--bad-bg:#fbe6e7;--warn:#8a5a00;
--warn-bg:#fff3d6;--mark:#ffe58a;--mark-on:#ffc53d;--code:#eef1f6}
*{box-sizing:border-box}
html{font-size:14px}
body{margin:0;background:var(--bg);color:var(--ink);line-height:1.45;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif}
a{color:var(--accent)}
:focus-visible{outline:3px solid #7aa2ff;outline-offset:1px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;z-index:9;background:#fff;padding:6px}
header.top{display:flex;align-items:center;gap:18px;background:#1d2433;color:#e8ecf4;padding:0 16px;height:44px}
header.top .brand{font-weight:700;letter-spacing:.2px;color:#fff;text-decoration:none}
header.top nav{display:flex;gap:4px;flex:1}
header.top nav a{color:#c9d2e3;text-decoration:none;padding:6px 10px;border-radius:6px}
header.top nav a[aria-current=page]{background:#34405a;color:#fff}
header.top .who{display:flex;align-items:center;gap:10px;color:#c9d2e3}
header.top .who form{margin:0}
header.top .who button{background:transparent;color:#c9d2e3;border:1px solid #4a5670;padding:3px 9px;border-radius:6px;cursor:pointer}
main{padding:14px 18px;max-width:1640px;margin:0 auto}
h1{font-size:1.35rem;margin:0}
h2{font-size:1.02rem;margin:0 0 8px}
h3{font-size:.95rem;margin:10px 0 6px}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin-bottom:12px}
.muted{color:var(--muted)}
.small{font-size:.88rem}
.flash{padding:9px 12px;border-radius:7px;margin-bottom:12px;border:1px solid}
.flash.ok{background:var(--ok-bg);border-color:#9fd6b6;color:#0d5232}
.flash.err{background:var(--bad-bg);border-color:#f0a9ad;color:#7d1219}
.flash.warn{background:var(--warn-bg);border-color:#f1d08a;color:#5f3e00}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:.8rem;font-weight:600;border:1px solid transparent;white-space:nowrap}
.badge.pending{background:var(--warn-bg);color:var(--warn);border-color:#f1d08a}
.badge.approved{background:var(--ok-bg);color:var(--ok);border-color:#9fd6b6}
.badge.rejected{background:var(--bad-bg);color:var(--bad);border-color:#f0a9ad}
.badge.info{background:#e8eefc;color:#23408f;border-color:#bccbf3}
.badge.conflict{background:#fde8d8;color:#8f3b00;border-color:#f3bd93}
kbd{font:600 .78rem ui-monospace,SFMono-Regular,Menlo,monospace;background:#fff;border:1px solid #b9c1cf;border-bottom-width:2px;border-radius:4px;padding:0 5px;color:#333}
button,.btn{font:inherit;border:1px solid #b9c1cf;background:#fff;color:var(--ink);padding:6px 12px;border-radius:7px;cursor:pointer;text-decoration:none;display:inline-flex;gap:7px;align-items:center}
button:hover,.btn:hover{border-color:#8d97aa}
button.primary{background:var(--ok);border-color:var(--ok);color:#fff}
button.danger{background:var(--bad);border-color:var(--bad);color:#fff}
button.accent{background:var(--accent);border-color:var(--accent);color:#fff}
button kbd,.btn kbd{background:rgba(255,255,255,.85)}
input[type=text],input[type=password],input[type=number],select,textarea{font:inherit;border:1px solid #b9c1cf;border-radius:6px;padding:5px 7px;background:#fff;color:var(--ink);max-width:100%}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:.86rem}
tbody tr:hover{background:#f7f9fc}
.queue tr.sel{background:#eaf0ff;outline:2px solid #9db7ff}
.queue td.title{max-width:520px}
.queue td.title a{font-weight:600;text-decoration:none}
.num{font-variant-numeric:tabular-nums;text-align:right}
.conf{width:48px;height:9px;vertical-align:middle;margin-right:6px}
caption{text-align:left;padding-bottom:4px}
.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:end}
.filters label{display:flex;flex-direction:column;font-size:.82rem;color:var(--muted);gap:2px}
.itemhead{display:flex;align-items:center;gap:12px;flex-wrap:wrap;margin-bottom:10px}
.itemhead .title{font-size:1.25rem;font-weight:700}
.itemhead .pos{margin-left:auto;display:flex;gap:6px;align-items:center}
.actions{display:flex;gap:8px;flex-wrap:wrap;align-items:center;position:sticky;top:0;z-index:5;background:var(--bg);padding:8px 0;border-bottom:1px solid var(--line);margin-bottom:12px}
.actions form{margin:0;display:flex;gap:6px;align-items:center}
.grid{display:grid;grid-template-columns:minmax(360px,5fr) minmax(420px,7fr);gap:12px;align-items:start}
@media (max-width:1000px){.grid{grid-template-columns:1fr}}
.fields th{width:36%;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.8rem;font-weight:500}
.fields td.ev{width:1%;white-space:nowrap}
.fields tr.has-ev{cursor:pointer}
.fields tr.focus{background:#fff7d6}
.src{border:1px solid var(--line);border-radius:8px;margin-bottom:10px;background:#fff}
.src>header{display:flex;gap:8px;align-items:center;padding:7px 10px;border-bottom:1px solid var(--line);background:#fafbfd;border-radius:8px 8px 0 0;flex-wrap:wrap}
.src>header .url{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.78rem;color:var(--muted);word-break:break-all;flex:1}
.srctext{white-space:pre-wrap;padding:10px 12px;max-height:360px;overflow:auto;font-size:.95rem;line-height:1.65}
mark{background:var(--mark);padding:0 1px;border-radius:2px;box-shadow:inset 0 -2px 0 #e0b000}
mark.on{background:var(--mark-on)}
mark sup{font-size:.65rem;color:#6b4e00;margin-left:2px;font-family:ui-monospace,monospace}
iframe.snap{width:100%;height:360px;border:0;border-top:1px dashed var(--line);background:#fff}
details>summary{cursor:pointer;font-weight:600}
.cmp td,.cmp th{font-size:.9rem}
.srcdiff{white-space:normal;font-size:.9rem;line-height:1.6;background:#fafbfd;border:1px solid var(--line);border-radius:6px;padding:8px 10px;max-height:300px;overflow:auto}
.srcdiff>*{display:block}
.srcdiff ins{text-decoration:none;background:#e6f6e6}
.srcdiff del{text-decoration:line-through;color:#8a2b2b;background:#fdecec}
.cmp tr.diff td{background:#fff4e5}
.cmp tr.diff td.field{box-shadow:inset 3px 0 0 #f08c00}
.editgrid{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:8px 14px}
.editgrid label{display:flex;flex-direction:column;gap:2px;font-size:.8rem;color:var(--muted);font-family:ui-monospace,monospace}
.editgrid fieldset{border:1px solid var(--line);border-radius:6px;grid-column:1/-1;display:flex;flex-wrap:wrap;gap:4px 14px}
.editgrid fieldset label{flex-direction:row;align-items:center;font-family:inherit;color:var(--ink)}
.log td{font-size:.86rem}
.log code,.code{background:var(--code);border-radius:4px;padding:0 4px;font-size:.8rem;word-break:break-word}
.help{position:fixed;right:16px;bottom:16px;background:#1d2433;color:#e8ecf4;border-radius:10px;padding:12px 16px;box-shadow:0 6px 30px rgba(0,0,0,.25);z-index:20}
.help[hidden]{display:none}
.help table td,.help table th{border-color:#34405a;color:#e8ecf4}
.login{max-width:380px;margin:9vh auto}
.login label{display:flex;flex-direction:column;gap:3px;margin-bottom:10px}
.login input{width:100%}
.actions details{position:relative}
.actions details>summary{list-style:none}
.actions details>summary::-webkit-details-marker{display:none}
.actions details[open]>form{position:absolute;top:115%;left:0;background:#fff;border:1px solid var(--line);padding:10px;border-radius:8px;box-shadow:0 6px 24px rgba(0,0,0,.15);z-index:10;white-space:nowrap}
.inline-form{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin-top:10px}
.inline-form form{margin:0}
em.untitled{font-weight:500;color:#4a5568}
.pager{display:flex;gap:8px;align-items:center;margin-top:10px}
`;

/**
 * Keyboard shortcuts: any element with `data-key` is activated by that key (links followed,
 * buttons clicked, <details> opened and their first field focused). Keys are ignored while
 * typing in a field; Escape leaves the field. In the queue j/k move the selection and Enter
 * opens it. Clicking a coded field highlights its quotes in the source text.
 */
export const JS = `
(function(){
  function activate(el){
    if(el.tagName==='A'){location.href=el.href;return}
    if(el.tagName==='DETAILS'){el.open=true;var f=el.querySelector('input:not([type=hidden]),select,textarea');if(f)f.focus();return}
    if(el.tagName==='INPUT'||el.tagName==='SELECT'||el.tagName==='TEXTAREA'){el.focus();return}
    el.click();
  }
  var rows=[].slice.call(document.querySelectorAll('.queue tbody tr[data-href]')),sel=0;
  function mark(){rows.forEach(function(r,i){r.classList.toggle('sel',i===sel)});if(rows[sel])rows[sel].scrollIntoView({block:'nearest'})}
  if(rows.length)mark();
  document.addEventListener('keydown',function(e){
    if(e.ctrlKey||e.metaKey||e.altKey)return;
    var t=e.target;
    if(t&&t.closest&&t.closest('input,select,textarea,[contenteditable]')){if(e.key==='Escape')t.blur();return}
    if(rows.length&&(e.key==='j'||e.key==='k'||e.key==='Enter'||e.key==='o')){
      e.preventDefault();
      if(e.key==='j')sel=Math.min(sel+1,rows.length-1);
      else if(e.key==='k')sel=Math.max(sel-1,0);
      else{location.href=rows[sel].getAttribute('data-href');return}
      mark();return;
    }
    if(e.key==='?'){var hp=document.getElementById('help');if(hp){hp.hidden=!hp.hidden}return}
    var el=document.querySelector('[data-key~="'+e.key+'"]');
    if(!el)return;
    e.preventDefault();activate(el);
  });
  document.querySelectorAll('a[data-open]').forEach(function(a){
    a.addEventListener('click',function(e){var d=document.getElementById(a.getAttribute('data-open'));if(d){e.preventDefault();activate(d);d.scrollIntoView({block:'start'})}});
  });
  document.querySelectorAll('.fields tr[data-field]').forEach(function(tr){
    tr.addEventListener('click',function(){
      var f=tr.getAttribute('data-field');
      document.querySelectorAll('.fields tr.focus').forEach(function(x){x.classList.remove('focus')});
      document.querySelectorAll('mark.on').forEach(function(x){x.classList.remove('on')});
      tr.classList.add('focus');
      var first=null;
      document.querySelectorAll('mark[data-fields]').forEach(function(m){
        if((' '+m.getAttribute('data-fields')+' ').indexOf(' '+f+' ')>=0){m.classList.add('on');if(!first)first=m}
      });
      if(first)first.scrollIntoView({block:'center',behavior:'smooth'});
    });
  });
})();
`;
