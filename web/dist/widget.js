(()=>{var Yt=Object.defineProperty;var Jt=(s,t)=>{for(var e in t)Yt(s,e,{get:t[e],enumerable:!0})};var m=Object.create(null);m.open="0";m.close="1";m.ping="2";m.pong="3";m.message="4";m.upgrade="5";m.noop="6";var O=Object.create(null);Object.keys(m).forEach(s=>{O[m[s]]=s});var B={type:"error",data:"parser error"};var mt=typeof Blob=="function"||typeof Blob!="undefined"&&Object.prototype.toString.call(Blob)==="[object BlobConstructor]",gt=typeof ArrayBuffer=="function",yt=s=>typeof ArrayBuffer.isView=="function"?ArrayBuffer.isView(s):s&&s.buffer instanceof ArrayBuffer,L=({type:s,data:t},e,i)=>mt&&t instanceof Blob?e?i(t):pt(t,i):gt&&(t instanceof ArrayBuffer||yt(t))?e?i(t):pt(new Blob([t]),i):i(m[s]+(t||"")),pt=(s,t)=>{let e=new FileReader;return e.onload=function(){let i=e.result.split(",")[1];t("b"+(i||""))},e.readAsDataURL(s)};function dt(s){return s instanceof Uint8Array?s:s instanceof ArrayBuffer?new Uint8Array(s):new Uint8Array(s.buffer,s.byteOffset,s.byteLength)}var G;function bt(s,t){if(mt&&s.data instanceof Blob)return s.data.arrayBuffer().then(dt).then(t);if(gt&&(s.data instanceof ArrayBuffer||yt(s.data)))return t(dt(s.data));L(s,!1,e=>{G||(G=new TextEncoder),t(G.encode(e))})}var _t="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",I=typeof Uint8Array=="undefined"?[]:new Uint8Array(256);for(let s=0;s<_t.length;s++)I[_t.charCodeAt(s)]=s;var xt=s=>{let t=s.length*.75,e=s.length,i,r=0,n,o,a,h;s[s.length-1]==="="&&(t--,s[s.length-2]==="="&&t--);let g=new ArrayBuffer(t),d=new Uint8Array(g);for(i=0;i<e;i+=4)n=I[s.charCodeAt(i)],o=I[s.charCodeAt(i+1)],a=I[s.charCodeAt(i+2)],h=I[s.charCodeAt(i+3)],d[r++]=n<<2|o>>4,d[r++]=(o&15)<<4|a>>2,d[r++]=(a&3)<<6|h&63;return g};var Xt=typeof ArrayBuffer=="function",P=(s,t)=>{if(typeof s!="string")return{type:"message",data:wt(s,t)};let e=s.charAt(0);return e==="b"?{type:"message",data:jt(s.substring(1),t)}:O[e]?s.length>1?{type:O[e],data:s.substring(1)}:{type:O[e]}:B},jt=(s,t)=>{if(Xt){let e=xt(s);return wt(e,t)}else return{base64:!0,data:s}},wt=(s,t)=>t==="blob"?s instanceof Blob?s:new Blob([s]):s instanceof ArrayBuffer?s:s.buffer;var vt="",kt=(s,t)=>{let e=s.length,i=new Array(e),r=0;s.forEach((n,o)=>{L(n,!1,a=>{i[o]=a,++r===e&&t(i.join(vt))})})},Et=(s,t)=>{let e=s.split(vt),i=[];for(let r=0;r<e.length;r++){let n=P(e[r],t);if(i.push(n),n.type==="error")break}return i};function Tt(){return new TransformStream({transform(s,t){bt(s,e=>{let i=e.length,r;if(i<126)r=new Uint8Array(1),new DataView(r.buffer).setUint8(0,i);else if(i<65536){r=new Uint8Array(3);let n=new DataView(r.buffer);n.setUint8(0,126),n.setUint16(1,i)}else{r=new Uint8Array(9);let n=new DataView(r.buffer);n.setUint8(0,127),n.setBigUint64(1,BigInt(i))}s.data&&typeof s.data!="string"&&(r[0]|=128),t.enqueue(r),t.enqueue(e)})}})}var Z;function K(s){return s.reduce((t,e)=>t+e.length,0)}function H(s,t){if(s[0].length===t)return s.shift();let e=new Uint8Array(t),i=0;for(let r=0;r<t;r++)e[r]=s[0][i++],i===s[0].length&&(s.shift(),i=0);return s.length&&i<s[0].length&&(s[0]=s[0].slice(i)),e}function St(s,t){Z||(Z=new TextDecoder);let e=[],i=0,r=-1,n=!1;return new TransformStream({transform(o,a){for(e.push(o);;){if(i===0){if(K(e)<1)break;let h=H(e,1);n=(h[0]&128)===128,r=h[0]&127,r<126?i=3:r===126?i=1:i=2}else if(i===1){if(K(e)<2)break;let h=H(e,2);r=new DataView(h.buffer,h.byteOffset,h.length).getUint16(0),i=3}else if(i===2){if(K(e)<8)break;let h=H(e,8),g=new DataView(h.buffer,h.byteOffset,h.length),d=g.getUint32(0);if(d>Math.pow(2,21)-1){a.enqueue(B);break}r=d*Math.pow(2,32)+g.getUint32(4),i=3}else{if(K(e)<r)break;let h=H(e,r);a.enqueue(P(n?h:Z.decode(h),t)),i=0}if(r===0||r>s){a.enqueue(B);break}}}})}var tt=4;function u(s){if(s)return Qt(s)}function Qt(s){for(var t in u.prototype)s[t]=u.prototype[t];return s}u.prototype.on=u.prototype.addEventListener=function(s,t){return this._callbacks=this._callbacks||{},(this._callbacks["$"+s]=this._callbacks["$"+s]||[]).push(t),this};u.prototype.once=function(s,t){function e(){this.off(s,e),t.apply(this,arguments)}return e.fn=t,this.on(s,e),this};u.prototype.off=u.prototype.removeListener=u.prototype.removeAllListeners=u.prototype.removeEventListener=function(s,t){if(this._callbacks=this._callbacks||{},arguments.length==0)return this._callbacks={},this;var e=this._callbacks["$"+s];if(!e)return this;if(arguments.length==1)return delete this._callbacks["$"+s],this;for(var i,r=0;r<e.length;r++)if(i=e[r],i===t||i.fn===t){e.splice(r,1);break}return e.length===0&&delete this._callbacks["$"+s],this};u.prototype.emit=function(s){this._callbacks=this._callbacks||{};for(var t=new Array(arguments.length-1),e=this._callbacks["$"+s],i=1;i<arguments.length;i++)t[i-1]=arguments[i];if(e){e=e.slice(0);for(var i=0,r=e.length;i<r;++i)e[i].apply(this,t)}return this};u.prototype.emitReserved=u.prototype.emit;u.prototype.listeners=function(s){return this._callbacks=this._callbacks||{},this._callbacks["$"+s]||[]};u.prototype.hasListeners=function(s){return!!this.listeners(s).length};var y=typeof Promise=="function"&&typeof Promise.resolve=="function"?t=>Promise.resolve().then(t):(t,e)=>e(t,0),f=typeof self!="undefined"?self:typeof window!="undefined"?window:Function("return this")(),At="arraybuffer";function z(s,...t){return t.reduce((e,i)=>(s.hasOwnProperty(i)&&(e[i]=s[i]),e),{})}var Gt=f.setTimeout,Zt=f.clearTimeout;function b(s,t){t.useNativeTimers?(s.setTimeoutFn=Gt.bind(f),s.clearTimeoutFn=Zt.bind(f)):(s.setTimeoutFn=f.setTimeout.bind(f),s.clearTimeoutFn=f.clearTimeout.bind(f))}var te=1.33;function Ct(s){return typeof s=="string"?ee(s):Math.ceil((s.byteLength||s.size)*te)}function ee(s){let t=0,e=0;for(let i=0,r=s.length;i<r;i++)t=s.charCodeAt(i),t<128?e+=1:t<2048?e+=2:t<55296||t>=57344?e+=3:(i++,e+=4);return e}function W(){return Date.now().toString(36).substring(3)+Math.random().toString(36).substring(2,5)}function Nt(s){let t="";for(let e in s)s.hasOwnProperty(e)&&(t.length&&(t+="&"),t+=encodeURIComponent(e)+"="+encodeURIComponent(s[e]));return t}function Rt(s){let t={},e=s.split("&");for(let i=0,r=e.length;i<r;i++){let n=e[i].split("=");t[decodeURIComponent(n[0])]=decodeURIComponent(n.slice(1).join("="))}return t}var $=class extends Error{constructor(t,e,i){super(t),this.description=e,this.context=i,this.type="TransportError"}},_=class extends u{constructor(t){super(),this.writable=!1,b(this,t),this.opts=t,this.query=t.query,this.socket=t.socket,this.supportsBinary=!t.forceBase64}onError(t,e,i){return super.emitReserved("error",new $(t,e,i)),this}open(){return this.readyState="opening",this.doOpen(),this}close(){return(this.readyState==="opening"||this.readyState==="open")&&(this.doClose(),this.onClose()),this}send(t){this.readyState==="open"&&this.write(t)}onOpen(){this.readyState="open",this.writable=!0,super.emitReserved("open")}onData(t){let e=P(t,this.socket.binaryType);this.onPacket(e)}onPacket(t){super.emitReserved("packet",t)}onClose(t){this.readyState="closed",super.emitReserved("close",t)}pause(t){}createUri(t,e={}){return t+"://"+this._hostname()+this._port()+this.opts.path+this._query(e)}_hostname(){let t=this.opts.hostname;return t.indexOf(":")===-1?t:"["+t+"]"}_port(){return this.opts.port&&(this.opts.secure&&Number(this.opts.port)!==443||!this.opts.secure&&Number(this.opts.port)!==80)?":"+this.opts.port:""}_query(t){let e=Nt(t);return e.length?"?"+e:""}};var q=class extends _{constructor(){super(...arguments),this._polling=!1}get name(){return"polling"}doOpen(){this._poll()}pause(t){this.readyState="pausing";let e=()=>{this.readyState="paused",t()};if(this._polling||!this.writable){let i=0;this._polling&&(i++,this.once("pollComplete",function(){--i||e()})),this.writable||(i++,this.once("drain",function(){--i||e()}))}else e()}_poll(){this._polling=!0,this.doPoll(),this.emitReserved("poll")}onData(t){let e=i=>{if(this.readyState==="opening"&&i.type==="open"&&this.onOpen(),i.type==="close")return this.onClose({description:"transport closed by the server"}),!1;this.onPacket(i)};Et(t,this.socket.binaryType).forEach(e),this.readyState!=="closed"&&(this._polling=!1,this.emitReserved("pollComplete"),this.readyState==="open"&&this._poll())}doClose(){let t=()=>{this.write([{type:"close"}])};this.readyState==="open"?t():this.once("open",t)}write(t){this.writable=!1,kt(t,e=>{this.doWrite(e,()=>{this.writable=!0,this.emitReserved("drain")})})}uri(){let t=this.opts.secure?"https":"http",e=this.query||{};return this.opts.timestampRequests!==!1&&(e[this.opts.timestampParam]=W()),!this.supportsBinary&&!e.sid&&(e.b64=1),this.createUri(t,e)}};var Ot=!1;try{Ot=typeof XMLHttpRequest!="undefined"&&"withCredentials"in new XMLHttpRequest}catch{}var Bt=Ot;function se(){}var et=class extends q{constructor(t){if(super(t),typeof location!="undefined"){let e=location.protocol==="https:",i=location.port;i||(i=e?"443":"80"),this.xd=typeof location!="undefined"&&t.hostname!==location.hostname||i!==t.port}}doWrite(t,e){let i=this.request({method:"POST",data:t});i.on("success",e),i.on("error",(r,n)=>{this.onError("xhr post error",r,n)})}doPoll(){let t=this.request();t.on("data",this.onData.bind(this)),t.on("error",(e,i)=>{this.onError("xhr poll error",e,i)}),this.pollXhr=t}},w=class s extends u{constructor(t,e,i){super(),this.createRequest=t,b(this,i),this._opts=i,this._method=i.method||"GET",this._uri=e,this._data=i.data!==void 0?i.data:null,this._create()}_create(){var t;let e=z(this._opts,"agent","pfx","key","passphrase","cert","ca","ciphers","rejectUnauthorized","autoUnref");e.xdomain=!!this._opts.xd;let i=this._xhr=this.createRequest(e);try{i.open(this._method,this._uri,!0);try{if(this._opts.extraHeaders){i.setDisableHeaderCheck&&i.setDisableHeaderCheck(!0);for(let r in this._opts.extraHeaders)this._opts.extraHeaders.hasOwnProperty(r)&&i.setRequestHeader(r,this._opts.extraHeaders[r])}}catch{}if(this._method==="POST")try{i.setRequestHeader("Content-type","text/plain;charset=UTF-8")}catch{}try{i.setRequestHeader("Accept","*/*")}catch{}(t=this._opts.cookieJar)===null||t===void 0||t.addCookies(i),"withCredentials"in i&&(i.withCredentials=this._opts.withCredentials),this._opts.requestTimeout&&(i.timeout=this._opts.requestTimeout),i.onreadystatechange=()=>{var r;i.readyState===3&&((r=this._opts.cookieJar)===null||r===void 0||r.parseCookies(i.getResponseHeader("set-cookie"))),i.readyState===4&&(i.status===200||i.status===1223?this._onLoad():this.setTimeoutFn(()=>{this._onError(typeof i.status=="number"?i.status:0)},0))},i.send(this._data)}catch(r){this.setTimeoutFn(()=>{this._onError(r)},0);return}typeof document!="undefined"&&(this._index=s.requestsCount++,s.requests[this._index]=this)}_onError(t){this.emitReserved("error",t,this._xhr),this._cleanup(!0)}_cleanup(t){if(!(typeof this._xhr=="undefined"||this._xhr===null)){if(this._xhr.onreadystatechange=se,t)try{this._xhr.abort()}catch{}typeof document!="undefined"&&delete s.requests[this._index],this._xhr=null}}_onLoad(){let t=this._xhr.responseText;t!==null&&(this.emitReserved("data",t),this.emitReserved("success"),this._cleanup())}abort(){this._cleanup()}};w.requestsCount=0;w.requests={};if(typeof document!="undefined"){if(typeof attachEvent=="function")attachEvent("onunload",Lt);else if(typeof addEventListener=="function"){let s="onpagehide"in f?"pagehide":"unload";addEventListener(s,Lt,!1)}}function Lt(){for(let s in w.requests)w.requests.hasOwnProperty(s)&&w.requests[s].abort()}var ie=(function(){let s=It({xdomain:!1});return s&&s.responseType!==null})(),v=class extends et{constructor(t){super(t);let e=t&&t.forceBase64;this.supportsBinary=ie&&!e}request(t={}){return Object.assign(t,{xd:this.xd},this.opts),new w(It,this.uri(),t)}};function It(s){let t=s.xdomain;try{if(typeof XMLHttpRequest!="undefined"&&(!t||Bt))return new XMLHttpRequest}catch{}if(!t)try{return new f[["Active"].concat("Object").join("X")]("Microsoft.XMLHTTP")}catch{}}var Pt=typeof navigator!="undefined"&&typeof navigator.product=="string"&&navigator.product.toLowerCase()==="reactnative",it=class extends _{get name(){return"websocket"}doOpen(){let t=this.uri(),e=this.opts.protocols,i=Pt?{}:z(this.opts,"agent","perMessageDeflate","pfx","key","passphrase","cert","ca","ciphers","rejectUnauthorized","localAddress","protocolVersion","origin","maxPayload","family","checkServerIdentity");this.opts.extraHeaders&&(i.headers=this.opts.extraHeaders);try{this.ws=this.createSocket(t,e,i)}catch(r){return this.emitReserved("error",r)}this.ws.binaryType=this.socket.binaryType,this.addEventListeners()}addEventListeners(){this.ws.onopen=()=>{this.opts.autoUnref&&this.ws._socket.unref(),this.onOpen()},this.ws.onclose=t=>this.onClose({description:"websocket connection closed",context:t}),this.ws.onmessage=t=>this.onData(t.data),this.ws.onerror=t=>this.onError("websocket error",t)}write(t){this.writable=!1;for(let e=0;e<t.length;e++){let i=t[e],r=e===t.length-1;L(i,this.supportsBinary,n=>{try{this.doWrite(i,n)}catch{}r&&y(()=>{this.writable=!0,this.emitReserved("drain")},this.setTimeoutFn)})}}doClose(){typeof this.ws!="undefined"&&(this.ws.onerror=()=>{},this.ws.close(),this.ws=null)}uri(){let t=this.opts.secure?"wss":"ws",e=this.query||{};return this.opts.timestampRequests&&(e[this.opts.timestampParam]=W()),this.supportsBinary||(e.b64=1),this.createUri(t,e)}},st=f.WebSocket||f.MozWebSocket,k=class extends it{createSocket(t,e,i){return Pt?new st(t,e,i):e?new st(t,e):new st(t)}doWrite(t,e){this.ws.send(e)}};var S=class extends _{get name(){return"webtransport"}doOpen(){try{this._transport=new WebTransport(this.createUri("https"),this.opts.transportOptions[this.name])}catch(t){return this.emitReserved("error",t)}this._transport.closed.then(()=>{this.onClose()}).catch(t=>{this.onError("webtransport error",t)}),this._transport.ready.then(()=>{this._transport.createBidirectionalStream().then(t=>{let e=St(Number.MAX_SAFE_INTEGER,this.socket.binaryType),i=t.readable.pipeThrough(e).getReader(),r=Tt();r.readable.pipeTo(t.writable),this._writer=r.writable.getWriter();let n=()=>{i.read().then(({done:a,value:h})=>{a||(this.onPacket(h),n())}).catch(a=>{})};n();let o={type:"open"};this.query.sid&&(o.data=`{"sid":"${this.query.sid}"}`),this._writer.write(o).then(()=>this.onOpen())})})}write(t){this.writable=!1;for(let e=0;e<t.length;e++){let i=t[e],r=e===t.length-1;this._writer.write(i).then(()=>{r&&y(()=>{this.writable=!0,this.emitReserved("drain")},this.setTimeoutFn)})}}doClose(){var t;(t=this._transport)===null||t===void 0||t.close()}};var rt={websocket:k,webtransport:S,polling:v};var re=/^(?:(?![^:@\/?#]+:[^:@\/]*@)(http|https|ws|wss):\/\/)?((?:(([^:@\/?#]*)(?::([^:@\/?#]*))?)?@)?((?:[a-f0-9]{0,4}:){2,7}[a-f0-9]{0,4}|[^:\/?#]*)(?::(\d*))?)(((\/(?:[^?#](?![^?#\/]*\.[^?#\/.]+(?:[?#]|$)))*\/?)?([^?#\/]*))(?:\?([^#]*))?(?:#(.*))?)/,ne=["source","protocol","authority","userInfo","user","password","host","port","relative","path","directory","file","query","anchor"];function A(s){if(s.length>8e3)throw"URI too long";let t=s,e=s.indexOf("["),i=s.indexOf("]");e!=-1&&i!=-1&&(s=s.substring(0,e)+s.substring(e,i).replace(/:/g,";")+s.substring(i,s.length));let r=re.exec(s||""),n={},o=14;for(;o--;)n[ne[o]]=r[o]||"";return e!=-1&&i!=-1&&(n.source=t,n.host=n.host.substring(1,n.host.length-1).replace(/;/g,":"),n.authority=n.authority.replace("[","").replace("]","").replace(/;/g,":"),n.ipv6uri=!0),n.pathNames=oe(n,n.path),n.queryKey=ae(n,n.query),n}function oe(s,t){let e=/\/{2,9}/g,i=t.replace(e,"/").split("/");return(t.slice(0,1)=="/"||t.length===0)&&i.splice(0,1),t.slice(-1)=="/"&&i.splice(i.length-1,1),i}function ae(s,t){let e={};return t.replace(/(?:^|&)([^&=]*)=?([^&]*)/g,function(i,r,n){r&&(e[r]=n)}),e}var nt=typeof addEventListener=="function"&&typeof removeEventListener=="function",Y=[];nt&&addEventListener("offline",()=>{Y.forEach(s=>s())},!1);var E=class s extends u{constructor(t,e={}){var i,r;if(super(),this.binaryType=At,this.writeBuffer=[],this._prevBufferLen=0,this._upgrades=[],this._pingInterval=-1,this._pingTimeout=-1,this._maxPayload=-1,this._pingTimeoutTime=1/0,t&&typeof t=="object"&&(e=t,t=null),t){let n=A(t);e.hostname=n.host,e.secure=n.protocol==="https"||n.protocol==="wss",e.port=n.port,n.query&&(e.query=n.query)}else e.host&&(e.hostname=A(e.host).host);if(b(this,e),this.secure=e.secure!=null?e.secure:typeof location!="undefined"&&location.protocol==="https:",e.hostname&&!e.port&&(e.port=this.secure?"443":"80"),this.hostname=e.hostname||(typeof location!="undefined"?location.hostname:"localhost"),this.port=e.port||(typeof location!="undefined"&&location.port?location.port:this.secure?"443":"80"),e.transportImplementations&&e.transports)throw new Error("specifying both 'transportImplementations' and 'transports' options is not supported");e.transportImplementations||!((i=e.transports)===null||i===void 0)&&i.length&&typeof e.transports[0]=="function"?(this.transports=[],this._transportsByName=Object.create(null),((r=e.transportImplementations)!==null&&r!==void 0?r:e.transports).forEach(n=>{let o=n.prototype.name;this.transports.push(o),this._transportsByName[o]=n})):(this.transports=e.transports?[...e.transports]:["polling","websocket","webtransport"],this._transportsByName=rt),this.opts=Object.assign({path:"/engine.io",agent:!1,withCredentials:!1,upgrade:!0,timestampParam:"t",rememberUpgrade:!1,addTrailingSlash:!0,rejectUnauthorized:!0,perMessageDeflate:{threshold:1024},transportOptions:{},closeOnBeforeunload:!1},e),this.opts.path=this.opts.path.replace(/\/$/,"")+(this.opts.addTrailingSlash?"/":""),typeof this.opts.query=="string"&&(this.opts.query=Rt(this.opts.query)),nt&&(this.opts.closeOnBeforeunload&&(this._beforeunloadEventListener=()=>{this.transport&&(this.transport.removeAllListeners(),this.transport.close())},addEventListener("beforeunload",this._beforeunloadEventListener,!1)),this.hostname!=="localhost"&&(this._offlineEventListener=()=>{this._onClose("transport close",{description:"network connection lost"})},Y.push(this._offlineEventListener))),this.opts.withCredentials&&(this._cookieJar=void 0),this._open()}createTransport(t){let e=Object.assign({},this.opts.query);e.EIO=tt,e.transport=t,this.id&&(e.sid=this.id);let i=Object.assign({},this.opts,{query:e,socket:this,hostname:this.hostname,secure:this.secure,port:this.port},this.opts.transportOptions[t]);return new this._transportsByName[t](i)}_open(){if(this.transports.length===0){this.setTimeoutFn(()=>{this.emitReserved("error","No transports available")},0);return}let t=this.opts.rememberUpgrade&&s.priorWebsocketSuccess&&this.transports.indexOf("websocket")!==-1?"websocket":this.transports[0];this.readyState="opening";let e=this.createTransport(t);e.open(),this.setTransport(e)}setTransport(t){this.transport&&this.transport.removeAllListeners(),this.transport=t,t.on("drain",this._onDrain.bind(this)).on("packet",this._onPacket.bind(this)).on("error",this._onError.bind(this)).on("close",e=>this._onClose("transport close",e))}_probe(t){let e=this.createTransport(t),i=!1;s.priorWebsocketSuccess=!1;let r=()=>{i||(e.send([{type:"ping",data:"probe"}]),e.once("packet",x=>{if(!i)if(x.type==="pong"&&x.data==="probe"){if(this.upgrading=!0,this.emitReserved("upgrading",e),!e)return;s.priorWebsocketSuccess=e.name==="websocket",this.transport.pause(()=>{i||this.readyState!=="closed"&&(d(),this.setTransport(e),e.send([{type:"upgrade"}]),this.emitReserved("upgrade",e),e=null,this.upgrading=!1,this.flush())})}else{let R=new Error("probe error");R.transport=e.name,this.emitReserved("upgradeError",R)}}))};function n(){i||(i=!0,d(),e.close(),e=null)}let o=x=>{let R=new Error("probe error: "+x);R.transport=e.name,n(),this.emitReserved("upgradeError",R)};function a(){o("transport closed")}function h(){o("socket closed")}function g(x){e&&x.name!==e.name&&n()}let d=()=>{e.removeListener("open",r),e.removeListener("error",o),e.removeListener("close",a),this.off("close",h),this.off("upgrading",g)};e.once("open",r),e.once("error",o),e.once("close",a),this.once("close",h),this.once("upgrading",g),this._upgrades.indexOf("webtransport")!==-1&&t!=="webtransport"?this.setTimeoutFn(()=>{i||e.open()},200):e.open()}onOpen(){if(this.readyState="open",s.priorWebsocketSuccess=this.transport.name==="websocket",this.emitReserved("open"),this.flush(),this.readyState==="open"&&this.opts.upgrade)for(let t=0;t<this._upgrades.length;t++)this._probe(this._upgrades[t])}_onPacket(t){if(this.readyState==="opening"||this.readyState==="open"||this.readyState==="closing")switch(this.emitReserved("packet",t),this.emitReserved("heartbeat"),t.type){case"open":this.onHandshake(JSON.parse(t.data));break;case"ping":this._sendPacket("pong"),this.emitReserved("ping"),this.emitReserved("pong"),this._resetPingTimeout();break;case"error":let e=new Error("server error");e.code=t.data,this._onError(e);break;case"message":this.emitReserved("data",t.data),this.emitReserved("message",t.data);break}}onHandshake(t){this.emitReserved("handshake",t),this.id=t.sid,this.transport.query.sid=t.sid,this._upgrades=this._filterUpgrades(t.upgrades),this._pingInterval=t.pingInterval,this._pingTimeout=t.pingTimeout,this._maxPayload=t.maxPayload,this.onOpen(),this.readyState!=="closed"&&this._resetPingTimeout()}_resetPingTimeout(){this.clearTimeoutFn(this._pingTimeoutTimer);let t=this._pingInterval+this._pingTimeout;this._pingTimeoutTime=Date.now()+t,this._pingTimeoutTimer=this.setTimeoutFn(()=>{this._onClose("ping timeout")},t),this.opts.autoUnref&&this._pingTimeoutTimer.unref()}_onDrain(){this.writeBuffer.splice(0,this._prevBufferLen),this._prevBufferLen=0,this.writeBuffer.length===0?this.emitReserved("drain"):this.flush()}flush(){if(this.readyState!=="closed"&&this.transport.writable&&!this.upgrading&&this.writeBuffer.length){let t=this._getWritablePackets();this.transport.send(t),this._prevBufferLen=t.length,this.emitReserved("flush")}}_getWritablePackets(){if(!(this._maxPayload&&this.transport.name==="polling"&&this.writeBuffer.length>1))return this.writeBuffer;let e=1;for(let i=0;i<this.writeBuffer.length;i++){let r=this.writeBuffer[i].data;if(r&&(e+=Ct(r)),i>0&&e>this._maxPayload)return this.writeBuffer.slice(0,i);e+=2}return this.writeBuffer}_hasPingExpired(){if(!this._pingTimeoutTime)return!0;let t=Date.now()>this._pingTimeoutTime;return t&&(this._pingTimeoutTime=0,y(()=>{this._onClose("ping timeout")},this.setTimeoutFn)),t}write(t,e,i){return this._sendPacket("message",t,e,i),this}send(t,e,i){return this._sendPacket("message",t,e,i),this}_sendPacket(t,e,i,r){if(typeof e=="function"&&(r=e,e=void 0),typeof i=="function"&&(r=i,i=null),this.readyState==="closing"||this.readyState==="closed")return;i=i||{},i.compress=i.compress!==!1;let n={type:t,data:e,options:i};this.emitReserved("packetCreate",n),this.writeBuffer.push(n),r&&this.once("flush",r),this.flush()}close(){let t=()=>{this._onClose("forced close"),this.transport.close()},e=()=>{this.off("upgrade",e),this.off("upgradeError",e),t()},i=()=>{this.once("upgrade",e),this.once("upgradeError",e)};return(this.readyState==="opening"||this.readyState==="open")&&(this.readyState="closing",this.writeBuffer.length?this.once("drain",()=>{this.upgrading?i():t()}):this.upgrading?i():t()),this}_onError(t){if(s.priorWebsocketSuccess=!1,this.opts.tryAllTransports&&this.transports.length>1&&this.readyState==="opening")return this.transports.shift(),this._open();this.emitReserved("error",t),this._onClose("transport error",t)}_onClose(t,e){if(this.readyState==="opening"||this.readyState==="open"||this.readyState==="closing"){if(this.clearTimeoutFn(this._pingTimeoutTimer),this.transport.removeAllListeners("close"),this.transport.close(),this.transport.removeAllListeners(),nt&&(this._beforeunloadEventListener&&removeEventListener("beforeunload",this._beforeunloadEventListener,!1),this._offlineEventListener)){let i=Y.indexOf(this._offlineEventListener);i!==-1&&Y.splice(i,1)}this.readyState="closed",this.id=null,this.emitReserved("close",t,e),this.writeBuffer=[],this._prevBufferLen=0}}_filterUpgrades(t){let e=[];for(let i=0;i<t.length;i++)~this.transports.indexOf(t[i])&&e.push(t[i]);return e}};E.protocol=tt;var Ms=E.protocol;function qt(s,t="",e){let i=s;e=e||typeof location!="undefined"&&location,s==null&&(s=e.protocol+"//"+e.host),typeof s=="string"&&(s.charAt(0)==="/"&&(s.charAt(1)==="/"?s=e.protocol+s:s=e.host+s),/^(https?|wss?):\/\//.test(s)||(typeof e!="undefined"?s=e.protocol+"//"+s:s="https://"+s),i=A(s)),i.port||(/^(http|ws)$/.test(i.protocol)?i.port="80":/^(http|ws)s$/.test(i.protocol)&&(i.port="443")),i.path=i.path||"/";let n=i.host.indexOf(":")!==-1?"["+i.host+"]":i.host;return i.id=i.protocol+"://"+n+":"+i.port+t,i.href=i.protocol+"://"+n+(e&&e.port===i.port?"":":"+i.port),i}var lt={};Jt(lt,{Decoder:()=>ct,Encoder:()=>at,PacketType:()=>c,isPacketValid:()=>ge,protocol:()=>Vt});var he=typeof ArrayBuffer=="function",le=s=>typeof ArrayBuffer.isView=="function"?ArrayBuffer.isView(s):s.buffer instanceof ArrayBuffer,Dt=Object.prototype.toString,ue=typeof Blob=="function"||typeof Blob!="undefined"&&Dt.call(Blob)==="[object BlobConstructor]",fe=typeof File=="function"||typeof File!="undefined"&&Dt.call(File)==="[object FileConstructor]";function M(s){return he&&(s instanceof ArrayBuffer||le(s))||ue&&s instanceof Blob||fe&&s instanceof File}function D(s,t){if(!s||typeof s!="object")return!1;if(Array.isArray(s)){for(let e=0,i=s.length;e<i;e++)if(D(s[e]))return!0;return!1}if(M(s))return!0;if(s.toJSON&&typeof s.toJSON=="function"&&arguments.length===1)return D(s.toJSON(),!0);for(let e in s)if(Object.prototype.hasOwnProperty.call(s,e)&&D(s[e]))return!0;return!1}function Mt(s){let t=[],e=s.data,i=s;return i.data=J(e,t),i.attachments=t.length,{packet:i,buffers:t}}function J(s,t,e){if(!s)return s;if(M(s)){let i={_placeholder:!0,num:t.length};return t.push(s),i}else if(Array.isArray(s)){let i=new Array(s.length);for(let r=0;r<s.length;r++)i[r]=J(s[r],t);return i}else if(typeof s=="object"&&!(s instanceof Date)){if(s.toJSON&&typeof s.toJSON=="function"&&!e)return J(s.toJSON(),t,!0);let i={};for(let r in s)Object.prototype.hasOwnProperty.call(s,r)&&(i[r]=J(s[r],t));return i}return s}function Ut(s,t){return s.data=ot(s.data,t),delete s.attachments,s}function ot(s,t){if(!s)return s;if(s&&s._placeholder===!0){if(typeof s.num=="number"&&s.num>=0&&s.num<t.length)return t[s.num];throw new Error("illegal attachments")}else if(Array.isArray(s))for(let e=0;e<s.length;e++)s[e]=ot(s[e],t);else if(typeof s=="object")for(let e in s)Object.prototype.hasOwnProperty.call(s,e)&&(s[e]=ot(s[e],t));return s}var Ft=["connect","connect_error","disconnect","disconnecting","newListener","removeListener"],Vt=5,c;(function(s){s[s.CONNECT=0]="CONNECT",s[s.DISCONNECT=1]="DISCONNECT",s[s.EVENT=2]="EVENT",s[s.ACK=3]="ACK",s[s.CONNECT_ERROR=4]="CONNECT_ERROR",s[s.BINARY_EVENT=5]="BINARY_EVENT",s[s.BINARY_ACK=6]="BINARY_ACK"})(c||(c={}));var at=class{constructor(t){this.replacer=t}encode(t){return(t.type===c.EVENT||t.type===c.ACK)&&D(t)?this.encodeAsBinary({type:t.type===c.EVENT?c.BINARY_EVENT:c.BINARY_ACK,nsp:t.nsp,data:t.data,id:t.id}):[this.encodeAsString(t)]}encodeAsString(t){let e=""+t.type;return(t.type===c.BINARY_EVENT||t.type===c.BINARY_ACK)&&(e+=t.attachments+"-"),t.nsp&&t.nsp!=="/"&&(e+=t.nsp+","),t.id!=null&&(e+=t.id),t.data!=null&&(e+=JSON.stringify(t.data,this.replacer)),e}encodeAsBinary(t){let e=Mt(t),i=this.encodeAsString(e.packet),r=e.buffers;return r.unshift(i),r}},ct=class s extends u{constructor(t){super(),this.opts=Object.assign({reviver:void 0,maxAttachments:10},typeof t=="function"?{reviver:t}:t)}add(t){let e;if(typeof t=="string"){if(this.reconstructor)throw new Error("got plaintext data when reconstructing a packet");e=this.decodeString(t);let i=e.type===c.BINARY_EVENT;i||e.type===c.BINARY_ACK?(e.type=i?c.EVENT:c.ACK,this.reconstructor=new ht(e)):super.emitReserved("decoded",e)}else if(M(t)||t.base64)if(this.reconstructor)e=this.reconstructor.takeBinaryData(t),e&&(this.reconstructor=null,super.emitReserved("decoded",e));else throw new Error("got binary data when not reconstructing a packet");else throw new Error("Unknown type: "+t)}decodeString(t){let e=0,i={type:Number(t.charAt(0))};if(c[i.type]===void 0)throw new Error("unknown packet type "+i.type);if(i.type===c.BINARY_EVENT||i.type===c.BINARY_ACK){let n=e+1;for(;t.charAt(++e)!=="-"&&e!=t.length;);let o=t.substring(n,e);if(o!=Number(o)||t.charAt(e)!=="-")throw new Error("Illegal attachments");let a=Number(o);if(!Kt(a)||a<1)throw new Error("Illegal attachments");if(a>this.opts.maxAttachments)throw new Error("too many attachments");i.attachments=a}if(t.charAt(e+1)==="/"){let n=e+1;for(;++e&&!(t.charAt(e)===","||e===t.length););i.nsp=t.substring(n,e)}else i.nsp="/";let r=t.charAt(e+1);if(r!==""&&Number(r)==r){let n=e+1;for(;++e;){let o=t.charAt(e);if(o==null||Number(o)!=o){--e;break}if(e===t.length)break}i.id=Number(t.substring(n,e+1))}if(t.charAt(++e)){let n=this.tryParse(t.substr(e));if(s.isPayloadValid(i.type,n))i.data=n;else throw new Error("invalid payload")}return i}tryParse(t){try{return JSON.parse(t,this.opts.reviver)}catch{return!1}}static isPayloadValid(t,e){switch(t){case c.CONNECT:return X(e);case c.DISCONNECT:return e===void 0;case c.CONNECT_ERROR:return typeof e=="string"||X(e);case c.EVENT:case c.BINARY_EVENT:return Array.isArray(e)&&(typeof e[0]=="number"||typeof e[0]=="string"&&Ft.indexOf(e[0])===-1);case c.ACK:case c.BINARY_ACK:return Array.isArray(e)}}destroy(){this.reconstructor&&(this.reconstructor.finishedReconstruction(),this.reconstructor=null)}},ht=class{constructor(t){this.packet=t,this.buffers=[],this.reconPack=t}takeBinaryData(t){if(this.buffers.push(t),this.buffers.length===this.reconPack.attachments){let e=Ut(this.reconPack,this.buffers);return this.finishedReconstruction(),e}return null}finishedReconstruction(){this.reconPack=null,this.buffers=[]}};function pe(s){return typeof s=="string"}var Kt=Number.isInteger||function(s){return typeof s=="number"&&isFinite(s)&&Math.floor(s)===s};function de(s){return s===void 0||Kt(s)}function X(s){return Object.prototype.toString.call(s)==="[object Object]"}function me(s,t){switch(s){case c.CONNECT:return t===void 0||X(t);case c.DISCONNECT:return t===void 0;case c.EVENT:return Array.isArray(t)&&(typeof t[0]=="number"||typeof t[0]=="string"&&Ft.indexOf(t[0])===-1);case c.ACK:return Array.isArray(t);case c.CONNECT_ERROR:return typeof t=="string"||X(t);default:return!1}}function ge(s){return pe(s.nsp)&&de(s.id)&&me(s.type,s.data)}function p(s,t,e){return s.on(t,e),function(){s.off(t,e)}}var ye=Object.freeze({connect:1,connect_error:1,disconnect:1,disconnecting:1,newListener:1,removeListener:1}),C=class extends u{constructor(t,e,i){super(),this.connected=!1,this.recovered=!1,this.receiveBuffer=[],this.sendBuffer=[],this._queue=[],this._queueSeq=0,this.ids=0,this.acks={},this.flags={},this.io=t,this.nsp=e,i&&i.auth&&(this.auth=i.auth),this._opts=Object.assign({},i),this.io._autoConnect&&this.open()}get disconnected(){return!this.connected}subEvents(){if(this.subs)return;let t=this.io;this.subs=[p(t,"open",this.onopen.bind(this)),p(t,"packet",this.onpacket.bind(this)),p(t,"error",this.onerror.bind(this)),p(t,"close",this.onclose.bind(this))]}get active(){return!!this.subs}connect(){return this.connected?this:(this.subEvents(),this.io._reconnecting||this.io.open(),this.io._readyState==="open"&&this.onopen(),this)}open(){return this.connect()}send(...t){return t.unshift("message"),this.emit.apply(this,t),this}emit(t,...e){var i,r,n;if(ye.hasOwnProperty(t))throw new Error('"'+t.toString()+'" is a reserved event name');if(e.unshift(t),this._opts.retries&&!this.flags.fromQueue&&!this.flags.volatile)return this._addToQueue(e),this;let o={type:c.EVENT,data:e};if(o.options={},o.options.compress=this.flags.compress!==!1,typeof e[e.length-1]=="function"){let d=this.ids++,x=e.pop();this._registerAckCallback(d,x),o.id=d}let a=(r=(i=this.io.engine)===null||i===void 0?void 0:i.transport)===null||r===void 0?void 0:r.writable,h=this.connected&&!(!((n=this.io.engine)===null||n===void 0)&&n._hasPingExpired());return this.flags.volatile&&!a||(h?(this.notifyOutgoingListeners(o),this.packet(o)):this.sendBuffer.push(o)),this.flags={},this}_registerAckCallback(t,e){var i;let r=(i=this.flags.timeout)!==null&&i!==void 0?i:this._opts.ackTimeout;if(r===void 0){this.acks[t]=e;return}let n=this.io.setTimeoutFn(()=>{delete this.acks[t];for(let a=0;a<this.sendBuffer.length;a++)this.sendBuffer[a].id===t&&this.sendBuffer.splice(a,1);e.call(this,new Error("operation has timed out"))},r),o=(...a)=>{this.io.clearTimeoutFn(n),e.apply(this,a)};o.withError=!0,this.acks[t]=o}emitWithAck(t,...e){return new Promise((i,r)=>{let n=(o,a)=>o?r(o):i(a);n.withError=!0,e.push(n),this.emit(t,...e)})}_addToQueue(t){let e;typeof t[t.length-1]=="function"&&(e=t.pop());let i={id:this._queueSeq++,tryCount:0,pending:!1,args:t,flags:Object.assign({fromQueue:!0},this.flags)};t.push((r,...n)=>(this._queue[0],r!==null?i.tryCount>this._opts.retries&&(this._queue.shift(),e&&e(r)):(this._queue.shift(),e&&e(null,...n)),i.pending=!1,this._drainQueue())),this._queue.push(i),this._drainQueue()}_drainQueue(t=!1){if(!this.connected||this._queue.length===0)return;let e=this._queue[0];e.pending&&!t||(e.pending=!0,e.tryCount++,this.flags=e.flags,this.emit.apply(this,e.args))}packet(t){t.nsp=this.nsp,this.io._packet(t)}onopen(){typeof this.auth=="function"?this.auth(t=>{this._sendConnectPacket(t)}):this._sendConnectPacket(this.auth)}_sendConnectPacket(t){this.packet({type:c.CONNECT,data:this._pid?Object.assign({pid:this._pid,offset:this._lastOffset},t):t})}onerror(t){this.connected||this.emitReserved("connect_error",t)}onclose(t,e){this.connected=!1,delete this.id,this.emitReserved("disconnect",t,e),this._clearAcks()}_clearAcks(){Object.keys(this.acks).forEach(t=>{if(!this.sendBuffer.some(i=>String(i.id)===t)){let i=this.acks[t];delete this.acks[t],i.withError&&i.call(this,new Error("socket has been disconnected"))}})}onpacket(t){if(t.nsp===this.nsp)switch(t.type){case c.CONNECT:t.data&&t.data.sid?this.onconnect(t.data.sid,t.data.pid):this.emitReserved("connect_error",new Error("It seems you are trying to reach a Socket.IO server in v2.x with a v3.x client, but they are not compatible (more information here: https://socket.io/docs/v3/migrating-from-2-x-to-3-0/)"));break;case c.EVENT:case c.BINARY_EVENT:this.onevent(t);break;case c.ACK:case c.BINARY_ACK:this.onack(t);break;case c.DISCONNECT:this.ondisconnect();break;case c.CONNECT_ERROR:this.destroy();let i=new Error(t.data.message);i.data=t.data.data,this.emitReserved("connect_error",i);break}}onevent(t){let e=t.data||[];t.id!=null&&e.push(this.ack(t.id)),this.connected?this.emitEvent(e):this.receiveBuffer.push(Object.freeze(e))}emitEvent(t){if(this._anyListeners&&this._anyListeners.length){let e=this._anyListeners.slice();for(let i of e)i.apply(this,t)}super.emit.apply(this,t),this._pid&&t.length&&typeof t[t.length-1]=="string"&&(this._lastOffset=t[t.length-1])}ack(t){let e=this,i=!1;return function(...r){i||(i=!0,e.packet({type:c.ACK,id:t,data:r}))}}onack(t){let e=this.acks[t.id];typeof e=="function"&&(delete this.acks[t.id],e.withError&&t.data.unshift(null),e.apply(this,t.data))}onconnect(t,e){this.id=t,this.recovered=e&&this._pid===e,this._pid=e,this.connected=!0,this.emitBuffered(),this._drainQueue(!0),this.emitReserved("connect")}emitBuffered(){this.receiveBuffer.forEach(t=>this.emitEvent(t)),this.receiveBuffer=[],this.sendBuffer.forEach(t=>{this.notifyOutgoingListeners(t),this.packet(t)}),this.sendBuffer=[]}ondisconnect(){this.destroy(),this.onclose("io server disconnect")}destroy(){this.subs&&(this.subs.forEach(t=>t()),this.subs=void 0),this.io._destroy(this)}disconnect(){return this.connected&&this.packet({type:c.DISCONNECT}),this.destroy(),this.connected&&this.onclose("io client disconnect"),this}close(){return this.disconnect()}compress(t){return this.flags.compress=t,this}get volatile(){return this.flags.volatile=!0,this}timeout(t){return this.flags.timeout=t,this}onAny(t){return this._anyListeners=this._anyListeners||[],this._anyListeners.push(t),this}prependAny(t){return this._anyListeners=this._anyListeners||[],this._anyListeners.unshift(t),this}offAny(t){if(!this._anyListeners)return this;if(t){let e=this._anyListeners;for(let i=0;i<e.length;i++)if(t===e[i])return e.splice(i,1),this}else this._anyListeners=[];return this}listenersAny(){return this._anyListeners||[]}onAnyOutgoing(t){return this._anyOutgoingListeners=this._anyOutgoingListeners||[],this._anyOutgoingListeners.push(t),this}prependAnyOutgoing(t){return this._anyOutgoingListeners=this._anyOutgoingListeners||[],this._anyOutgoingListeners.unshift(t),this}offAnyOutgoing(t){if(!this._anyOutgoingListeners)return this;if(t){let e=this._anyOutgoingListeners;for(let i=0;i<e.length;i++)if(t===e[i])return e.splice(i,1),this}else this._anyOutgoingListeners=[];return this}listenersAnyOutgoing(){return this._anyOutgoingListeners||[]}notifyOutgoingListeners(t){if(this._anyOutgoingListeners&&this._anyOutgoingListeners.length){let e=this._anyOutgoingListeners.slice();for(let i of e)i.apply(this,t.data)}}};function T(s){s=s||{},this.ms=s.min||100,this.max=s.max||1e4,this.factor=s.factor||2,this.jitter=s.jitter>0&&s.jitter<=1?s.jitter:0,this.attempts=0}T.prototype.duration=function(){var s=this.ms*Math.pow(this.factor,this.attempts++);if(this.jitter){var t=Math.random(),e=Math.floor(t*this.jitter*s);s=(Math.floor(t*10)&1)==0?s-e:s+e}return Math.min(s,this.max)|0};T.prototype.reset=function(){this.attempts=0};T.prototype.setMin=function(s){this.ms=s};T.prototype.setMax=function(s){this.max=s};T.prototype.setJitter=function(s){this.jitter=s};var N=class extends u{constructor(t,e){var i;super(),this.nsps={},this.subs=[],t&&typeof t=="object"&&(e=t,t=void 0),e=e||{},e.path=e.path||"/socket.io",this.opts=e,b(this,e),this.reconnection(e.reconnection!==!1),this.reconnectionAttempts(e.reconnectionAttempts||1/0),this.reconnectionDelay(e.reconnectionDelay||1e3),this.reconnectionDelayMax(e.reconnectionDelayMax||5e3),this.randomizationFactor((i=e.randomizationFactor)!==null&&i!==void 0?i:.5),this.backoff=new T({min:this.reconnectionDelay(),max:this.reconnectionDelayMax(),jitter:this.randomizationFactor()}),this.timeout(e.timeout==null?2e4:e.timeout),this._readyState="closed",this.uri=t;let r=e.parser||lt;this.encoder=new r.Encoder,this.decoder=new r.Decoder,this._autoConnect=e.autoConnect!==!1,this._autoConnect&&this.open()}reconnection(t){return arguments.length?(this._reconnection=!!t,t||(this.skipReconnect=!0),this):this._reconnection}reconnectionAttempts(t){return t===void 0?this._reconnectionAttempts:(this._reconnectionAttempts=t,this)}reconnectionDelay(t){var e;return t===void 0?this._reconnectionDelay:(this._reconnectionDelay=t,(e=this.backoff)===null||e===void 0||e.setMin(t),this)}randomizationFactor(t){var e;return t===void 0?this._randomizationFactor:(this._randomizationFactor=t,(e=this.backoff)===null||e===void 0||e.setJitter(t),this)}reconnectionDelayMax(t){var e;return t===void 0?this._reconnectionDelayMax:(this._reconnectionDelayMax=t,(e=this.backoff)===null||e===void 0||e.setMax(t),this)}timeout(t){return arguments.length?(this._timeout=t,this):this._timeout}maybeReconnectOnOpen(){!this._reconnecting&&this._reconnection&&this.backoff.attempts===0&&this.reconnect()}open(t){if(~this._readyState.indexOf("open"))return this;this.engine=new E(this.uri,this.opts);let e=this.engine,i=this;this._readyState="opening",this.skipReconnect=!1;let r=p(e,"open",function(){i.onopen(),t&&t()}),n=a=>{this.cleanup(),this._readyState="closed",this.emitReserved("error",a),t?t(a):this.maybeReconnectOnOpen()},o=p(e,"error",n);if(this._timeout!==!1){let a=this._timeout,h=this.setTimeoutFn(()=>{r(),n(new Error("timeout")),e.close()},a);this.opts.autoUnref&&h.unref(),this.subs.push(()=>{this.clearTimeoutFn(h)})}return this.subs.push(r),this.subs.push(o),this}connect(t){return this.open(t)}onopen(){this.cleanup(),this._readyState="open",this.emitReserved("open");let t=this.engine;this.subs.push(p(t,"ping",this.onping.bind(this)),p(t,"data",this.ondata.bind(this)),p(t,"error",this.onerror.bind(this)),p(t,"close",this.onclose.bind(this)),p(this.decoder,"decoded",this.ondecoded.bind(this)))}onping(){this.emitReserved("ping")}ondata(t){try{this.decoder.add(t)}catch(e){this.onclose("parse error",e)}}ondecoded(t){y(()=>{this.emitReserved("packet",t)},this.setTimeoutFn)}onerror(t){this.emitReserved("error",t)}socket(t,e){let i=this.nsps[t];return i?this._autoConnect&&!i.active&&i.connect():(i=new C(this,t,e),this.nsps[t]=i),i}_destroy(t){let e=Object.keys(this.nsps);for(let i of e)if(this.nsps[i].active)return;this._close()}_packet(t){let e=this.encoder.encode(t);for(let i=0;i<e.length;i++)this.engine.write(e[i],t.options)}cleanup(){this.subs.forEach(t=>t()),this.subs.length=0,this.decoder.destroy()}_close(){this.skipReconnect=!0,this._reconnecting=!1,this.onclose("forced close")}disconnect(){return this._close()}onclose(t,e){var i;this.cleanup(),(i=this.engine)===null||i===void 0||i.close(),this.backoff.reset(),this._readyState="closed",this.emitReserved("close",t,e),this._reconnection&&!this.skipReconnect&&this.reconnect()}reconnect(){if(this._reconnecting||this.skipReconnect)return this;let t=this;if(this.backoff.attempts>=this._reconnectionAttempts)this.backoff.reset(),this.emitReserved("reconnect_failed"),this._reconnecting=!1;else{let e=this.backoff.duration();this._reconnecting=!0;let i=this.setTimeoutFn(()=>{t.skipReconnect||(this.emitReserved("reconnect_attempt",t.backoff.attempts),!t.skipReconnect&&t.open(r=>{r?(t._reconnecting=!1,t.reconnect(),this.emitReserved("reconnect_error",r)):t.onreconnect()}))},e);this.opts.autoUnref&&i.unref(),this.subs.push(()=>{this.clearTimeoutFn(i)})}}onreconnect(){let t=this.backoff.attempts;this._reconnecting=!1,this.backoff.reset(),this.emitReserved("reconnect",t)}};var U={};function F(s,t){typeof s=="object"&&(t=s,s=void 0),t=t||{};let e=qt(s,t.path||"/socket.io"),i=e.source,r=e.id,n=e.path,o=U[r]&&n in U[r].nsps,a=t.forceNew||t["force new connection"]||t.multiplex===!1||o,h;return a?h=new N(i,t):(U[r]||(U[r]=new N(i,t)),h=U[r]),e.query&&!t.query&&(t.query=e.queryKey),h.socket(e.path,t)}Object.assign(F,{Manager:N,Socket:C,io:F,connect:F});var Ht=`:host {
  all: initial;
  --brand: #1d5c57;
  --brand-dark: #14443f;
  --brand-soft: #e6f0ee;
  --ink: #1f2a2e;
  --muted: #5b6b70;
  --surface: #ffffff;
  --line: #d5dfdd;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 15px;
  line-height: 1.45;
  color: var(--ink);
}

.widget {
  position: fixed;
  right: 20px;
  bottom: 20px;
  z-index: 2147483000;
  display: flex;
  flex-direction: column;
  align-items: flex-end;
  gap: 12px;
}

.sr-only {
  position: absolute;
  width: 1px;
  height: 1px;
  margin: -1px;
  padding: 0;
  overflow: hidden;
  clip: rect(0 0 0 0);
  white-space: nowrap;
  border: 0;
}

button {
  font: inherit;
  cursor: pointer;
}

:focus-visible {
  outline: 3px solid #f2b84b;
  outline-offset: 2px;
}

svg {
  width: 24px;
  height: 24px;
}

svg.filled {
  fill: currentColor;
}

svg.stroked {
  fill: none;
  stroke: currentColor;
  stroke-width: 2.2;
  stroke-linecap: round;
}

.launcher {
  width: 60px;
  height: 60px;
  border: 0;
  border-radius: 50%;
  background: var(--brand);
  color: #fff;
  box-shadow: 0 6px 20px rgba(20, 68, 63, 0.35);
  display: grid;
  place-items: center;
}

.launcher .when-open,
.launcher[aria-expanded="true"] .when-closed {
  display: none;
}

.launcher[aria-expanded="true"] .when-open {
  display: block;
}

.launcher:hover {
  background: var(--brand-dark);
}

.launcher svg {
  width: 28px;
  height: 28px;
}

.panel {
  width: min(380px, calc(100vw - 40px));
  height: min(600px, calc(100vh - 112px));
  display: flex;
  flex-direction: column;
  background: var(--surface);
  border-radius: 16px;
  box-shadow: 0 12px 40px rgba(0, 0, 0, 0.22);
  overflow: hidden;
}

.panel[hidden] {
  display: none;
}

header {
  display: flex;
  align-items: center;
  justify-content: space-between;
  gap: 8px;
  padding: 14px 12px 14px 18px;
  background: var(--brand);
  color: #fff;
}

h2 {
  margin: 0;
  font-size: 17px;
  font-weight: 600;
}

.status {
  margin: 2px 0 0;
  font-size: 13px;
  opacity: 0.9;
}

.actions {
  display: flex;
  gap: 2px;
}

.icon-button {
  width: 40px;
  height: 40px;
  border: 0;
  border-radius: 50%;
  background: transparent;
  color: #fff;
  display: grid;
  place-items: center;
}

.icon-button:hover {
  background: rgba(255, 255, 255, 0.15);
}

.log {
  flex: 1;
  overflow-y: auto;
  padding: 16px 14px 8px;
  display: flex;
  flex-direction: column;
  gap: 8px;
  background: #f6f8f7;
  overscroll-behavior: contain;
}

.msg {
  max-width: 85%;
  padding: 9px 13px;
  border-radius: 14px;
  white-space: pre-wrap;
  overflow-wrap: anywhere;
}

.msg.bot {
  align-self: flex-start;
  background: var(--surface);
  border: 1px solid var(--line);
  border-bottom-left-radius: 4px;
}

.msg.user {
  align-self: flex-end;
  background: var(--brand);
  color: #fff;
  border-bottom-right-radius: 4px;
}

.msg a {
  color: var(--brand);
  font-weight: 600;
}

.msg img {
  display: block;
  max-width: 100%;
  margin-top: 6px;
  border-radius: 8px;
}

.replies {
  display: flex;
  flex-wrap: wrap;
  gap: 6px;
  margin-top: 2px;
}

.replies button {
  min-height: 36px;
  padding: 6px 14px;
  border: 1.5px solid var(--brand);
  border-radius: 18px;
  background: var(--surface);
  color: var(--brand);
  font-size: 14px;
  font-weight: 600;
  text-align: left;
}

.replies button:hover {
  background: var(--brand-soft);
}

.typing-row {
  background: #f6f8f7;
  padding: 0 14px;
}

.typing {
  display: inline-flex;
  gap: 4px;
  margin-bottom: 8px;
  padding: 12px 14px;
  background: var(--surface);
  border: 1px solid var(--line);
  border-radius: 14px;
  border-bottom-left-radius: 4px;
}

.typing[hidden] {
  display: none;
}

.dot {
  width: 7px;
  height: 7px;
  border-radius: 50%;
  background: var(--muted);
  animation: blink 1.2s infinite ease-in-out;
}

.dot:nth-child(2) {
  animation-delay: 0.2s;
}

.dot:nth-child(3) {
  animation-delay: 0.4s;
}

@keyframes blink {
  0%,
  80%,
  100% {
    opacity: 0.25;
  }
  40% {
    opacity: 1;
  }
}

.composer {
  display: flex;
  align-items: flex-end;
  gap: 8px;
  padding: 10px 12px;
  border-top: 1px solid var(--line);
  background: var(--surface);
}

textarea {
  flex: 1;
  min-height: 24px;
  max-height: 120px;
  resize: none;
  padding: 9px 12px;
  border: 1.5px solid var(--line);
  border-radius: 12px;
  font: inherit;
  font-size: 16px; /* 16px keeps iOS from zooming into the field */
  color: var(--ink);
  background: var(--surface);
}

textarea:focus,
textarea:focus-visible {
  border-color: var(--brand);
  outline: 2px solid var(--brand);
  outline-offset: 0;
}

textarea::placeholder {
  color: var(--muted);
}

.send {
  flex: none;
  width: 44px;
  height: 44px;
  border: 0;
  border-radius: 50%;
  background: var(--brand);
  color: #fff;
  display: grid;
  place-items: center;
}

.send:hover {
  background: var(--brand-dark);
}

/* Phones: the open chat takes the whole screen. */
@media (max-width: 520px) {
  .widget {
    right: 16px;
    bottom: 16px;
  }

  .panel {
    position: fixed;
    inset: 0;
    width: 100%;
    height: 100%;
    border-radius: 0;
  }

  .panel:not([hidden]) + .launcher {
    display: none;
  }
}

@media (prefers-reduced-motion: reduce) {
  .dot {
    animation: none;
    opacity: 0.6;
  }
}
`;var j=class{constructor(t,{prefix:e="weho-chat",maxAgeMs:i=864e5}={}){this.storage=xe(t)?t:we(),this.maxAgeMs=i,this.sessionKey=`${e}:session`,this.messagesKey=`${e}:messages`,this.senderKey=`${e}:sender`}get sessionId(){return this.storage.getItem(this.sessionKey)}set sessionId(t){let e=this.sessionId;t!==e&&(this.storage.setItem(this.sessionKey,t),e&&this.storage.setItem(this.messagesKey,"[]"))}clear(){this.storage.removeItem(this.sessionKey),this.storage.removeItem(this.messagesKey)}expireStale(t=Date.now()){let e=this.messages(),i=e[e.length-1];i&&(typeof i.at!="number"||t-i.at>this.maxAgeMs)&&this.clear()}messages(){try{let t=JSON.parse(this.storage.getItem(this.messagesKey)||"[]");return Array.isArray(t)?t.filter(_e):[]}catch{return[]}}add(t,e=Date.now()){let i=[...this.messages(),{...t,at:e}].slice(-200);try{this.storage.setItem(this.messagesKey,JSON.stringify(i))}catch{}return i}claimReplies(t){this.storage.setItem(this.senderKey,t)}recordsReplies(t){let e=this.storage.getItem(this.senderKey);return!e||e===t}concerns(t){return t===null||t===this.messagesKey||t===this.sessionKey}};function _e(s){return!!s&&(s.from==="user"||s.from==="bot")&&typeof s.text=="string"}function xe(s){try{let t="weho-chat:probe";return s.setItem(t,"1"),s.removeItem(t),!0}catch{return!1}}function we(){let s=new Map;return{getItem:t=>s.has(t)?s.get(t):null,setItem:(t,e)=>s.set(t,String(e)),removeItem:t=>s.delete(t)}}var ve=/\[([^\]\n]{1,200})\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'])/g;function ut(s){try{let t=new URL(s);return t.protocol==="http:"||t.protocol==="https:"?t.href:null}catch{return null}}function zt(s){let t=[],e=0;for(let i of s.matchAll(ve)){let[r,n,o,a]=i,h=ut(o||a);h&&(i.index>e&&t.push({text:s.slice(e,i.index)}),t.push({text:n||a,href:h}),e=i.index+r.length)}return e<s.length&&t.push({text:s.slice(e)}),t}var ke=1e3,Ee=2e4,Te="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z",Se="M6 6l12 12M18 6L6 18",Ae="M6 9l6 6 6-6",Ce="M4 12a8 8 0 1 0 2.3-5.6M4 4v4h4",Ne="M3 20l18-8L3 4v6l12 2-12 2z";function l(s,t={},e=[]){let i=document.createElement(s);for(let[r,n]of Object.entries(t))r in i&&!r.includes("-")?i[r]=n:i.setAttribute(r,n);return i.append(...e),i}function V(s,t,e=""){let i="http://www.w3.org/2000/svg",r=document.createElementNS(i,"svg");r.setAttribute("viewBox","0 0 24 24"),r.setAttribute("aria-hidden","true"),r.setAttribute("focusable","false");let n=document.createElementNS(i,"path");return n.setAttribute("d",s),r.append(n),r.setAttribute("class",`${t?"filled":"stroked"} ${e}`.trim()),r}function ft(){return`${Date.now().toString(36)}-${Math.random().toString(36).slice(2,8)}`}function Re(s){if(!s||typeof s!="object")return null;let t=typeof s.text=="string"?s.text:"",e=s.quick_replies||s.buttons||[],i=(Array.isArray(e)?e:[]).filter(o=>o&&typeof o.title=="string"&&typeof o.payload=="string").map(o=>({title:o.title,payload:o.payload})),r=s.attachment,n=r&&r.type==="image"&&r.payload?ut(String(r.payload.src)):null;return!t&&!i.length&&!n?null:{id:ft(),from:"bot",text:t,buttons:i,image:n}}var Q=class{constructor(t,e,i){this.config=t,this.history=new j(e,{maxAgeMs:t.historyHours*3600*1e3}),this.tabStorage=i,this.tabId=ft(),this.socket=null,this.ready=!1,this.joinedSession=null,this.outbox=[],this.lastRenderedId=null,this.typingTimer=null,this.greeted=!1}mount(t){let e=l("div",{id:"weho-chat"});return e.attachShadow({mode:"open"}).append(l("style",{textContent:Ht}),this._build()),t.append(e),this.panel.addEventListener("keydown",r=>{r.key==="Escape"&&this.close(!0)}),window.addEventListener("storage",r=>{this.history.concerns(r.key)&&(this._renderMessages(this.history.messages()),this._joinSession())}),this.history.expireStale(),this._renderMessages(this.history.messages()),this._tabState("open")==="1"&&this.open(!1),this}_build(){let{title:t,subtitle:e}=this.config;this.launcher=l("button",{className:"launcher",type:"button","aria-label":`Open chat: ${t}`,"aria-expanded":"false","aria-controls":"weho-chat-panel",onclick:()=>this.isOpen?this.close(!0):this.open(!0)},[V(Te,!0,"when-closed"),V(Ae,!1,"when-open")]),this.status=l("p",{className:"status",role:"status",textContent:e}),this.log=l("div",{className:"log",role:"log","aria-live":"polite","aria-label":"Conversation",tabIndex:0}),this.typing=l("div",{className:"typing",hidden:!0},[l("span",{className:"dot"}),l("span",{className:"dot"}),l("span",{className:"dot"}),l("span",{className:"sr-only",textContent:`${t} is typing`})]),this.input=l("textarea",{id:"weho-chat-input",rows:1,maxLength:ke,placeholder:"Type your message\u2026",autocomplete:"off"}),this.input.addEventListener("keydown",r=>{r.key==="Enter"&&!r.shiftKey&&!r.isComposing&&(r.preventDefault(),this._submit())});let i=l("form",{className:"composer"},[l("label",{className:"sr-only",htmlFor:"weho-chat-input",textContent:"Your message"}),this.input,l("button",{className:"send",type:"submit","aria-label":"Send message"},[V(Ne,!0)])]);return i.addEventListener("submit",r=>{r.preventDefault(),this._submit()}),this.panel=l("section",{id:"weho-chat-panel",className:"panel",role:"dialog","aria-labelledby":"weho-chat-title",hidden:!0},[l("header",{},[l("div",{},[l("h2",{id:"weho-chat-title",textContent:t}),this.status]),l("div",{className:"actions"},[l("button",{className:"icon-button",type:"button","aria-label":"Start a new conversation",title:"Start a new conversation",onclick:()=>this.restart()},[V(Ce,!1)]),l("button",{className:"icon-button",type:"button","aria-label":"Close chat",title:"Close chat",onclick:()=>this.close(!0)},[V(Se,!1)])])]),this.log,l("div",{className:"typing-row",role:"status"},[this.typing]),i]),l("div",{className:"widget"},[this.panel,this.launcher])}get isOpen(){return!this.panel.hidden}open(t){this.panel.hidden=!1,this.launcher.setAttribute("aria-expanded","true"),this.launcher.setAttribute("aria-label","Minimize chat"),this._tabState("open","1"),this._connect(),!this.history.messages().length&&!this.greeted&&(this.greeted=!0,this._send(this.config.greetingPayload)),this._scrollToEnd(),t&&this.input.focus()}close(t){this.panel.hidden=!0,this.launcher.setAttribute("aria-expanded","false"),this.launcher.setAttribute("aria-label",`Open chat: ${this.config.title}`),this._tabState("open","0"),t&&this.launcher.focus()}restart(){this.history.clear(),this._renderMessages([]),this.ready=!1,this.outbox=[],this.joinedSession=null,this.socket&&this.socket.connected&&this.socket.emit("session_request",{session_id:null}),this._send(this.config.greetingPayload),this.input.focus()}_joinSession(){let t=this.history.sessionId;this.socket&&this.socket.connected&&t&&t!==this.joinedSession&&this.socket.emit("session_request",{session_id:t})}_connect(){this.socket||(this._setStatus("Connecting\u2026"),this.socket=F(this.config.socketUrl,{path:this.config.socketPath,transports:["websocket","polling"],tryAllTransports:!0,reconnectionDelayMax:5e3}),this.socket.on("connect",()=>{this.socket.emit("session_request",{session_id:this.history.sessionId})}),this.socket.on("session_confirm",t=>{this.history.sessionId=this.joinedSession=String(t),this.ready=!0,this._setStatus(this.config.subtitle);let e=this.outbox.splice(0);e.length&&this._showTyping(!0);for(let i of e)this._emit(i)}),this.socket.on("disconnect",()=>{this.ready=!1,this.joinedSession=null,this._setStatus("Reconnecting\u2026")}),this.socket.on("connect_error",()=>this._setStatus("Can't reach the assistant. Retrying\u2026")),this.socket.on(this.config.botEvent,t=>this._receive(t)))}_submit(){let t=this.input.value.trim();t&&(this.input.value="",this._say(t,t))}_say(t,e){this._append(this.history.add({id:ft(),from:"user",text:t})),this._send(e)}_send(t){this.history.claimReplies(this.tabId),this._showTyping(!0),this.ready?this._emit(t):this.outbox.push(t)}_emit(t){this.socket.emit(this.config.userEvent,{message:t,session_id:this.history.sessionId})}_receive(t){if(!this.history.recordsReplies(this.tabId))return;let e=Re(t);e&&(this._showTyping(!1),this.ready&&this._setStatus(this.config.subtitle),this._append(this.history.add(e)))}_append(t){var n,o;let e=t.findIndex(a=>a.id===this.lastRenderedId);this.lastRenderedId&&e<0&&this.log.replaceChildren();let i=t.slice(e+1);if(!i.length)return;(n=this.log.querySelector(".replies"))==null||n.remove();for(let a of i)this.log.append(this._messageNode(a));let r=t[t.length-1];this.lastRenderedId=r.id,r.from==="bot"&&((o=r.buttons)!=null&&o.length)&&this.log.append(this._repliesNode(r.buttons)),this._scrollToEnd()}_renderMessages(t){if(!t.length){this.log.replaceChildren(),this.lastRenderedId=null;return}t[t.length-1].from==="bot"&&this._showTyping(!1),this._append(t)}_messageNode(t){let e=t.from==="user"?"You":this.config.title,i=l("div",{className:`msg ${t.from}`},[l("span",{className:"sr-only",textContent:`${e}: `})]);if(t.from==="bot"){for(let r of zt(t.text))i.append(r.href?l("a",{href:r.href,target:"_blank",rel:"noopener noreferrer",textContent:r.text}):document.createTextNode(r.text));t.image&&i.append(l("img",{src:t.image,alt:"",loading:"lazy"}))}else i.append(document.createTextNode(t.text));return i}_repliesNode(t){return l("div",{className:"replies",role:"group","aria-label":"Suggested replies"},t.map(e=>l("button",{type:"button",textContent:e.title,onclick:()=>{this._say(e.title,e.payload),this.input.focus()}})))}_showTyping(t){clearTimeout(this.typingTimer),this.typing.hidden=!t,t&&(this.typingTimer=setTimeout(()=>{this.typing.hidden=!0,this._setStatus("No answer came back. Please try again.")},Ee),this._scrollToEnd())}_setStatus(t){this.status.textContent!==t&&(this.status.textContent=t)}_scrollToEnd(){this.log.scrollTop=this.log.scrollHeight}_tabState(t,e){try{if(e===void 0)return this.tabStorage.getItem(`weho-chat:${t}`);this.tabStorage.setItem(`weho-chat:${t}`,e)}catch{return null}return null}};function Oe(s){let t=s&&s.dataset||{};return{socketUrl:t.socketUrl||`${location.protocol}//${location.hostname}:5005`,socketPath:t.socketPath||"/socket.io/",title:t.title||"Massage assistant",subtitle:t.subtitle||"Usually replies instantly",greetingPayload:t.greetingPayload||"/greet",historyHours:Number(t.historyHours)>0?Number(t.historyHours):24,userEvent:t.userEvent||"user_uttered",botEvent:t.botEvent||"bot_uttered"}}function Wt(s){try{return window[s]}catch{return null}}var Be=document.currentScript||document.querySelector("script[data-socket-url]");function $t(){document.getElementById("weho-chat")||(window.wehoChat=new Q(Oe(Be),Wt("localStorage"),Wt("sessionStorage")).mount(document.body))}document.body?$t():document.addEventListener("DOMContentLoaded",$t);})();
