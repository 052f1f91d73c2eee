/*
 * iframe_support.js as served by the LMS emulator for DMTD (VB-MAPP).
 *
 * The real script opens VB-MAPP app screens in an iframe; the frame URLs are not public, so
 * this stand-in defines the same four global functions and renders, into `mountPoint` (an
 * element or an element id), a placeholder naming the screen and its arguments. It makes no
 * network calls. The sign-in token is never written into the page, only whether one was given.
 */
(function (global) {
  "use strict";

  function resolveMount(mountPoint) {
    var element = typeof mountPoint === "string"
      ? global.document.getElementById(mountPoint)
      : mountPoint;
    if (!element) {
      throw new Error("iframe_support.js: mount point not found: " + mountPoint);
    }
    return element;
  }

  function render(screen, args, mountPoint) {
    var mount = resolveMount(mountPoint);
    var doc = mount.ownerDocument || global.document;
    var placeholder = doc.createElement("div");
    var parts = [];
    placeholder.className = "dmtd-emulator-iframe";
    placeholder.setAttribute("data-screen", screen);
    Object.keys(args).forEach(function (name) {
      var value = name === "signInToken" ? (args[name] ? "given" : "missing") : String(args[name]);
      placeholder.setAttribute("data-" + name.toLowerCase(), value);
      parts.push(name + "=" + value);
    });
    placeholder.textContent = "VB-MAPP " + screen + " screen (emulated): " + parts.join(", ");
    while (mount.firstChild) {
      mount.removeChild(mount.firstChild);
    }
    mount.appendChild(placeholder);
    return placeholder;
  }

  global.openLearnersIframe = function (userAgent, acceptLanguage, signInToken, mountPoint) {
    return render("learners", {
      userAgent: userAgent, acceptLanguage: acceptLanguage, signInToken: signInToken
    }, mountPoint);
  };

  global.openLearnerOverviewIframe = function (userAgent, acceptLanguage, signInToken,
                                               learnerId, learnerCode, mountPoint) {
    return render("learner-overview", {
      userAgent: userAgent, acceptLanguage: acceptLanguage, signInToken: signInToken,
      learnerId: learnerId, learnerCode: learnerCode
    }, mountPoint);
  };

  global.openLatestAssessmentIframe = function (userAgent, acceptLanguage, signInToken,
                                                learnerId, mountPoint) {
    return render("latest-assessment", {
      userAgent: userAgent, acceptLanguage: acceptLanguage, signInToken: signInToken,
      learnerId: learnerId
    }, mountPoint);
  };

  global.openAssessmentViewIframe = function (userAgent, acceptLanguage, signInToken,
                                              assessmentId, mountPoint) {
    return render("assessment-view", {
      userAgent: userAgent, acceptLanguage: acceptLanguage, signInToken: signInToken,
      assessmentId: assessmentId
    }, mountPoint);
  };
}(typeof window !== "undefined" ? window : globalThis));
