/* paypage.c: renders the payment page (see paypage.h). The page reads its
 * invoice number from a data attribute (never from text spliced into
 * script), POSTs the chosen method to /api/invoices/{n}/pay and polls
 * GET /api/invoices/{n} every second until the invoice is final. */
#include "paypage.h"

#include <stdio.h>
#include <string.h>

#include "common/util.h"

void html_escape(struct sbuf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (const char *p = s; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            break;
        }
        if (rep) {
            sbuf_add(b, run, (size_t)(p - run));
            sbuf_puts(b, rep);
            run = p + 1;
        }
    }
    sbuf_puts(b, run);
}

void paypage_csp(const char *nonce, char *out, size_t outlen)
{
    snprintf(out, outlen,
             "default-src 'none'; script-src 'nonce-%s'; style-src 'nonce-%s'; "
             "connect-src 'self'; img-src 'self' data:; form-action 'none'; "
             "frame-ancestors 'none'; base-uri 'none'",
             nonce, nonce);
}

static const char page_style[] =
    "*{box-sizing:border-box}"
    "body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "background:#f3f4f6;color:#111827;line-height:1.4}"
    "main{max-width:28rem;margin:0 auto;padding:1rem}"
    ".card{background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12);"
    "padding:1.25rem;margin-top:1rem}"
    "h1{font-size:1.1rem;margin:0 0 .25rem;color:#374151}"
    ".amount{font-size:2rem;font-weight:700;margin:.25rem 0 .5rem;word-break:break-all}"
    ".desc{margin:0 0 .75rem;white-space:pre-wrap;word-wrap:break-word}"
    ".meta{font-size:.85rem;color:#6b7280;margin:.15rem 0}"
    "fieldset{border:0;padding:0;margin:1rem 0}"
    "legend{font-weight:600;margin-bottom:.5rem}"
    "label.m{display:flex;align-items:center;gap:.6rem;border:1px solid #d1d5db;"
    "border-radius:8px;padding:.8rem;margin:.4rem 0;cursor:pointer;font-size:1rem}"
    "button{width:100%;padding:.9rem;font-size:1.05rem;font-weight:600;border:0;"
    "border-radius:8px;background:#2563eb;color:#fff;cursor:pointer}"
    "button:disabled{background:#93c5fd;cursor:default}"
    ".status{margin-top:1rem;padding:.8rem;border-radius:8px;font-weight:600}"
    ".s-PENDING{background:#eef2ff}.s-PROCESSING{background:#fef9c3}"
    ".s-PAID,.s-REFUNDED{background:#dcfce7;color:#166534}"
    ".s-FAILED,.s-EXPIRED,.s-VOID,.s-ERROR{background:#fee2e2;color:#991b1b}"
    "[hidden]{display:none!important}";

/* Talks only to this origin's JSON API; writes with textContent only. */
static const char page_script[] =
    "(function(){"
    "var b=document.body,num=b.getAttribute('data-invoice'),"
    "st=document.getElementById('status'),form=document.getElementById('payform'),"
    "btn=document.getElementById('paybtn'),base='/api/invoices/'+encodeURIComponent(num);"
    "var text={PENDING:'Waiting for payment.',PROCESSING:'Processing your payment\\u2026',"
    "PAID:'Paid. Thank you!',FAILED:'Payment failed',EXPIRED:'This invoice has expired.',"
    "VOID:'This invoice was cancelled.',REFUNDED:'Paid and refunded.'};"
    "function show(s,reason){st.hidden=false;st.className='status s-'+s;"
    "document.getElementById('current').textContent=s;"
    "var t=text[s]||s;if(s==='FAILED'&&reason){t+=': '+reason;}st.textContent=t;"
    "var fin=s!=='PENDING'&&s!=='PROCESSING';form.hidden=s!=='PENDING';"
    "btn.disabled=s!=='PENDING';return fin;}"
    "function poll(){fetch(base,{headers:{'Accept':'application/json'},cache:'no-store'})"
    ".then(function(r){return r.json();}).then(function(inv){"
    "if(!show(inv.status,inv.failure_reason)){setTimeout(poll,1000);}})"
    ".catch(function(){setTimeout(poll,1000);});}"
    "form.addEventListener('submit',function(e){e.preventDefault();"
    "var m=form.querySelector('input[name=method]:checked');if(!m){return;}"
    "btn.disabled=true;st.hidden=false;st.className='status s-PROCESSING';"
    "st.textContent='Sending payment\\u2026';"
    "fetch(base+'/pay',{method:'POST',headers:{'Content-Type':'application/json'},"
    "body:JSON.stringify({method:m.value})}).then(function(r){"
    "return r.json().then(function(j){return {ok:r.ok,j:j};});}).then(function(x){"
    "if(x.ok){show(x.j.status,x.j.failure_reason);setTimeout(poll,1000);}"
    "else{var er=x.j&&x.j.error?x.j.error.message:'Payment refused';"
    "st.className='status s-ERROR';st.textContent=er;btn.disabled=false;poll();}})"
    ".catch(function(){st.className='status s-ERROR';"
    "st.textContent='Network error, please try again.';btn.disabled=false;});});"
    "var tm=document.querySelector('time'),d=new Date(tm.getAttribute('datetime'));"
    "if(!isNaN(d)){tm.textContent=d.toLocaleString();}"
    "var s0=b.getAttribute('data-status');show(s0,b.getAttribute('data-reason'));"
    "if(s0==='PENDING'){st.hidden=true;}if(s0==='PROCESSING'){setTimeout(poll,1000);}"
    "})();";

/* sbuf_steal with an optional length. */
static char *steal(struct sbuf *b, size_t *len)
{
    size_t n = 0;
    char *s = sbuf_steal(b, &n);
    if (len)
        *len = n;
    return s;
}

static void page_head(struct sbuf *b, const char *title, const char *nonce)
{
    sbuf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                 "<meta name=\"referrer\" content=\"no-referrer\">"
                 "<link rel=\"icon\" href=\"data:,\"><title>");
    html_escape(b, title);
    sbuf_puts(b, "</title><style nonce=\"");
    html_escape(b, nonce);
    sbuf_puts(b, "\">");
    sbuf_puts(b, page_style);
    sbuf_puts(b, "</style></head>");
}

char *paypage_render(const struct invoice *inv, const char *nonce, size_t *len)
{
    struct sbuf b;
    char money[64], when[40];
    sbuf_init(&b);
    money_format(inv->amount, inv->currency, money, sizeof money);
    time_rfc3339(inv->expires_ms, when, sizeof when);

    page_head(&b, "Pay invoice", nonce);
    sbuf_puts(&b, "<body data-invoice=\"");
    html_escape(&b, inv->number);
    sbuf_puts(&b, "\" data-status=\"");
    html_escape(&b, invoice_status_name(inv->status));
    sbuf_puts(&b, "\" data-reason=\"");
    html_escape(&b, inv->failure_reason);
    sbuf_puts(&b, "\"><main><div class=\"card\"><h1>Invoice ");
    html_escape(&b, inv->number);
    sbuf_puts(&b, "</h1><p class=\"amount\" id=\"amount\">");
    html_escape(&b, money);
    sbuf_puts(&b, "</p><p class=\"desc\" id=\"description\">");
    html_escape(&b, inv->description && *inv->description ? inv->description : "Payment");
    sbuf_puts(&b, "</p><p class=\"meta\">Pay before <time datetime=\"");
    html_escape(&b, when);
    sbuf_puts(&b, "\">");
    html_escape(&b, when);
    sbuf_puts(&b, "</time></p><p class=\"meta\">Status: <span id=\"current\">");
    html_escape(&b, invoice_status_name(inv->status));
    sbuf_puts(&b, "</span></p>");

    sbuf_puts(&b, "<form id=\"payform\"");
    if (inv->status != INVOICE_PENDING)
        sbuf_puts(&b, " hidden");
    sbuf_puts(&b,
              "><fieldset><legend>Payment method</legend>"
              "<label class=\"m\"><input type=\"radio\" name=\"method\" value=\"card\" checked>"
              " Card</label>"
              "<label class=\"m\"><input type=\"radio\" name=\"method\" value=\"bank_transfer\">"
              " Bank transfer</label>"
              "<label class=\"m\"><input type=\"radio\" name=\"method\" value=\"ewallet\">"
              " E-wallet</label></fieldset>"
              "<button type=\"submit\" id=\"paybtn\">Pay ");
    html_escape(&b, money);
    sbuf_puts(&b, "</button></form>");

    /* Without script the status is still shown; refreshing updates it. */
    sbuf_puts(&b, "<div id=\"status\" class=\"status s-");
    html_escape(&b, invoice_status_name(inv->status));
    sbuf_puts(&b, "\"");
    if (inv->status == INVOICE_PENDING)
        sbuf_puts(&b, " hidden");
    sbuf_puts(&b, " role=\"status\" aria-live=\"polite\">");
    html_escape(&b, invoice_status_name(inv->status));
    if (inv->status == INVOICE_FAILED && inv->failure_reason[0]) {
        sbuf_puts(&b, ": ");
        html_escape(&b, inv->failure_reason);
    }
    sbuf_puts(&b, "</div></div></main><script nonce=\"");
    html_escape(&b, nonce);
    sbuf_puts(&b, "\">");
    sbuf_puts(&b, page_script);
    sbuf_puts(&b, "</script></body></html>\n");
    return steal(&b, len);
}

char *paypage_render_not_found(const char *nonce, size_t *len)
{
    struct sbuf b;
    sbuf_init(&b);
    page_head(&b, "Invoice not found", nonce);
    sbuf_puts(&b, "<body><main><div class=\"card\"><h1>Invoice not found</h1>"
                  "<p class=\"desc\">There is no invoice at this address. Check the payment "
                  "link you were given.</p></div></main></body></html>\n");
    return steal(&b, len);
}
