"""The governance page's inline style sheet and script (no external requests).

Colours pass WCAG AA contrast (4.5:1) for their text; every status also has a symbol and a
word, so the page reads without colour. The script only filters what the HTML already
holds: without it, everything is shown.
"""

from __future__ import annotations

CSS = """
:root{--fg:#1a1a1a;--muted:#4d5156;--bg:#fff;--line:#c7c9cc;--link:#0b57d0;
--pass-bg:#e6f4ea;--pass:#0d5323;--fail-bg:#fce8e6;--fail:#8c1d18;
--waived-bg:#fef7e0;--waived:#5c4000;--skipped-bg:#e8eaf6;--skipped:#2b3a8c;
--na-bg:#f1f3f4;--na:#474b50}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--link)}
a:focus-visible,button:focus-visible,select:focus-visible,summary:focus-visible,[tabindex]:focus-visible{outline:3px solid var(--link);outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5em 1em;z-index:9}
.skip:focus{left:.5em}
header.top{padding:1em 1.5em;border-bottom:1px solid var(--line)}
header.top h1{margin:0 0 .4em;font-size:1.5em}
dl.prov{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em;margin:0}
dl.prov dt{font-weight:600}
dl.prov dd{margin:0;overflow-wrap:anywhere}
nav.toc{padding:.5em 1.5em;border-bottom:1px solid var(--line)}
nav.toc ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:1.5em}
main{padding:0 1.5em 2em}
h2{margin:1.4em 0 .5em;font-size:1.3em}
h3{margin:1.2em 0 .4em;font-size:1.1em}
h4{margin:1em 0 .3em;font-size:1em}
.totals{display:flex;flex-wrap:wrap;gap:.5em 1.5em;list-style:none;padding:0}
.totals b{font-size:1.2em}
code,pre,a.loc{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
pre{background:#f6f8fa;padding:.6em;overflow:auto;border:1px solid var(--line)}
table{border-collapse:collapse}
th,td{border:1px solid var(--line);padding:.25em .5em;text-align:left;vertical-align:top}
thead th{background:#f6f8fa}
.scroll{overflow:auto;max-height:80vh}
.matrix thead th{position:sticky;top:0;z-index:1}
.matrix td{padding:0}
.matrix td a,.matrix td span.st{display:block;padding:.25em .5em;text-decoration:none}
.matrix td a:hover{text-decoration:underline}
.st-pass{background:var(--pass-bg);color:var(--pass)}
.st-fail{background:var(--fail-bg);color:var(--fail);font-weight:600}
.st-waived{background:var(--waived-bg);color:var(--waived)}
.st-skipped{background:var(--skipped-bg);color:var(--skipped)}
.st-na{background:var(--na-bg);color:var(--na)}
.matrix td a{color:inherit}
.chip{display:inline-block;padding:0 .4em;border-radius:3px;white-space:nowrap}
.sev{display:inline-block;padding:0 .4em;border-radius:3px}
li[data-sev=error] .sev{background:var(--fail-bg);color:var(--fail)}
li[data-sev=warning] .sev{background:var(--waived-bg);color:var(--waived)}
li[data-sev=note] .sev{background:var(--skipped-bg);color:var(--skipped)}
.legend{display:flex;flex-wrap:wrap;gap:.5em 1em;list-style:none;padding:0}
form.filters{display:flex;flex-wrap:wrap;gap:.5em 1.5em;align-items:end;margin:1em 0;padding:.6em;border:1px solid var(--line)}
form.filters label{display:flex;flex-direction:column;font-weight:600}
form.filters select,form.filters button{font:inherit;padding:.2em}
.muted{color:var(--muted)}
section.model{content-visibility:auto;contain-intrinsic-size:auto 320px;border-top:1px solid var(--line)}
div.rule,#compliance table{content-visibility:auto;contain-intrinsic-size:auto 400px}
ul.findings{list-style:none;padding:0;margin:0}
li.finding{border-left:4px solid var(--line);padding:.3em .6em;margin:.4em 0;white-space:pre-wrap;overflow-wrap:anywhere}
li.finding[data-sev=error]{border-left-color:var(--fail)}
li.finding[data-sev=warning]{border-left-color:#8a6100}
li.finding[data-sev=note]{border-left-color:var(--skipped)}
.msg{white-space:pre-wrap;overflow-wrap:anywhere}
:target{scroll-margin-top:3em}
tr:target td,tr:target th,div.rulegroup:target>h4,div.rule:target>h3{box-shadow:inset 0 0 0 3px var(--link)}
[hidden]{display:none!important}
"""

# Filters: severity, model, rule. Each control is a labelled <select>, so the keyboard
# alone works; a polite live region says how much is shown.
JS = """
(function(){
"use strict";
var form=document.getElementById("filters");
if(!form){return;}
form.hidden=false;
var sev=document.getElementById("f-sev"),mod=document.getElementById("f-model"),
rule=document.getElementById("f-rule"),said=document.getElementById("f-shown");
function all(sel,root){return Array.prototype.slice.call((root||document).querySelectorAll(sel));}
var findings=null,groups,sections,mrows,crules,controls,inGroup,secGroups,ctlRules;
function collect(){
findings=all("li.finding");groups=all("div.rulegroup");sections=all("section.model");
mrows=all("tr.mrow");crules=all("li.crule");controls=all("tr.control");
inGroup=groups.map(function(g){return all("li.finding",g);});
secGroups=sections.map(function(s){return all("div.rulegroup",s);});
ctlRules=controls.map(function(c){return all("li.crule",c);});
}
function visible(list){for(var i=0;i<list.length;i++){if(!list[i].hidden){return true;}}return false;}
function apply(){
if(!findings){collect();}
var s=sev.value,m=mod.value,r=rule.value,shown=0,models=0;
findings.forEach(function(f){
var hide=(s&&f.getAttribute("data-sev")!==s)||(r&&f.getAttribute("data-rule")!==r);
f.hidden=!!hide;if(!hide){shown++;}});
groups.forEach(function(g,i){g.hidden=!visible(inGroup[i]);});
var both=function(el){return (s&&el.getAttribute("data-sev")!==s)||(r&&el.getAttribute("data-rule")!==r);};
crules.forEach(function(t){t.hidden=!!both(t);});
controls.forEach(function(c,i){c.hidden=!visible(ctlRules[i]);});
sections.forEach(function(sec,i){
var match=!m||sec.getAttribute("data-m")===m;
var any=!(s||r)||visible(secGroups[i]);
sec.hidden=!(match&&any);if(!sec.hidden){models++;}});
mrows.forEach(function(t){t.hidden=!!(m&&t.getAttribute("data-m")!==m);});
said.textContent="Showing "+shown+" of "+findings.length+" findings; "+models+" of "+sections.length+" model sections.";
}
form.addEventListener("change",apply);
form.addEventListener("submit",function(e){e.preventDefault();apply();});
document.getElementById("f-reset").addEventListener("click",function(){
sev.value="";mod.value="";rule.value="";apply();sev.focus();});
document.addEventListener("click",function(e){
var a=e.target&&e.target.closest?e.target.closest("a[href^='#']"):null;
if(!a){return;}
var t=document.getElementById(a.getAttribute("href").slice(1));
if(t&&t.closest("[hidden]")){sev.value="";mod.value="";rule.value="";apply();}
});
// Nothing is filtered at first: say so without touching the page (a large page loads
// faster when the script reads nothing of it until a filter is used).
said.textContent="Showing all "+document.querySelectorAll("li.finding").length+" findings.";
})();
"""
